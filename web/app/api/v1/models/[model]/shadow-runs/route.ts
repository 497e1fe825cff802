import { liveRunRequest, shadowRunRequest } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** The model's shadow runs, newest first. */
export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  return Response.json(await models().shadow.list(model));
});

/**
 * Queues a live mirror (`{mode: "live", candidate_version, sample_rate?, duration_minutes?, …}`:
 * new events, sampled, through the candidate until cancelled) or a replay of logged traffic:
 * `{candidate_version, from, to, limit?, version?, output?, batch_size?, criteria?}`. Checked
 * before anything runs (the candidate exists, its input spec's features were logged in the range,
 * there are events); 202 with the run, whose progress GET …/shadow-runs/{id} shows.
 */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: Ctx, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const body = await jsonBody(req);
      const { shadow } = models();
      const actor = caller.actor;
      if ((body as { mode?: unknown } | undefined)?.mode === 'live') {
        const live = liveRunRequest.safeParse(body);
        if (!live.success) return badRequest(live.error.issues);
        return Response.json(await shadow.createLive(model, live.data, actor), { status: 202 });
      }
      const parsed = shadowRunRequest.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      return Response.json(await shadow.create(model, parsed.data, actor), { status: 202 });
    }),
  { audit: 'workspace' },
);
