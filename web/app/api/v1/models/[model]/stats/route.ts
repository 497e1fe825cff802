import { modelStats } from '@osprey/db';
import { z } from 'zod';
import { badRequest } from '@/lib/api/request';
import { isoTime } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The last hour unless `from` / `to` say otherwise. */
const query = z
  .object({ from: isoTime.optional(), to: isoTime.optional() })
  .transform(({ from, to }) => {
    const end = to ? new Date(to) : new Date();
    return { from: from ? new Date(from) : new Date(end.getTime() - 3_600_000), to: end };
  })
  .refine((r) => r.from < r.to, { path: ['from'], message: 'must be before to' });

export const GET = withAuth(
  'viewer',
  async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    return Response.json(await modelStats(runtime().store, { model, ...parsed.data }));
  },
);
