import { modelStats } from '@osprey/db';
import { z } from 'zod';
import { badRequest } from '@/lib/api/request';
import { isoTime } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The last hour unless `from` / `to` say otherwise; one segment with `tag` and `value`. */
const query = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    tag: z.string().min(1).optional(),
    value: z.string().optional(),
  })
  .refine((q) => (q.tag === undefined) === (q.value === undefined), {
    path: ['value'],
    message: 'tag and value go together',
  })
  .transform(({ from, to, tag, value }) => {
    const end = to ? new Date(to) : new Date();
    return {
      from: from ? new Date(from) : new Date(end.getTime() - 3_600_000),
      to: end,
      segment: tag !== undefined && value !== undefined ? { tag, value } : undefined,
    };
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
