import { modelStats } from '@osprey/db';
import { z } from 'zod';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
});

const query = z
  .object({ from: isoTime.optional(), to: isoTime.optional() })
  .transform(({ from, to }) => {
    const end = to ? new Date(to) : new Date();
    return { from: from ? new Date(from) : new Date(end.getTime() - 3_600_000), to: end };
  })
  .refine((r) => r.from < r.to, { path: ['from'], message: 'must be before to' });

export const GET = withApiKey(
  'read',
  async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    return Response.json(await modelStats(runtime().store, { model, ...parsed.data }));
  },
);
