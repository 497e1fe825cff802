import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { timeseriesQuery } from '@/lib/dashboard/query';
import { loadTimeseries } from '@/lib/dashboard/timeseries';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * A model's traffic, error rate and latency percentiles over [from, to) (default the last 24
 * hours) in steps of `step` seconds (default about 120 points), optionally of one version and one
 * segment (`tag` = `value`).
 */
export const GET = withAuth(
  'viewer',
  async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const parsed = timeseriesQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { from, to, step, version, tag, value } = parsed.data;
    return Response.json(
      await loadTimeseries(runtime(), {
        model,
        from,
        to,
        stepSeconds: step,
        version,
        segment: tag !== undefined && value !== undefined ? { tag, value } : undefined,
      }),
    );
  },
);
