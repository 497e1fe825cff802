import { RecomputeRefused } from '@osprey/detectors';
import { z } from 'zod';
import { recomputeJobs } from '@/lib/api/recompute';
import { badRequest, jsonBody } from '@/lib/api/request';
import { isoTime } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

const body = z.strictObject({ since: isoTime });

/** The model's running or latest recompute; 404 when none was started since the server started. */
export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  const job = recomputeJobs().get(model);
  if (!job) return Response.json({ error: 'no recompute of this model' }, { status: 404 });
  return Response.json(job);
});

/**
 * Recomputes the model's stored windows since `since` in the background, with the model's
 * current reference and settings; answers 202 with the job (progress: GET on this path).
 */
export const POST = withAuth('editor', async (req: Request, ctx: Ctx, caller) => {
  const { model } = await ctx.params;
  const parsed = body.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  try {
    const job = await recomputeJobs().start(model, Date.parse(parsed.data.since));
    await caller.audit('detectors.recompute', model, parsed.data);
    return Response.json(job, { status: 202 });
  } catch (err) {
    if (!(err instanceof RecomputeRefused)) throw err;
    if (err.status === 400) return badRequest([{ path: ['since'], message: err.message }]);
    return Response.json({ error: err.message }, { status: 409 });
  }
});
