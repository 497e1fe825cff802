import { shadowRunRequest } from '@osprey/shadow-runner/api';
import { actorOf, jsonBody } from '@/lib/api/alerts';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** The model's shadow runs, newest first. */
export const GET = withApiKey('read', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  return Response.json(await models().shadow.list(model));
});

/**
 * Queues a replay of logged traffic through a candidate version:
 * `{candidate_version, from, to, limit?, version?, output?, batch_size?, criteria?}`. Checked
 * before anything runs (the candidate exists, its input spec's features were logged in the range,
 * there are events); 202 with the run, whose progress GET …/shadow-runs/{id} shows.
 */
export const POST = withApiKey('admin', async (req: Request, ctx: Ctx, caller) =>
  orRegistryError(async () => {
    const { model } = await ctx.params;
    const parsed = shadowRunRequest.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    return Response.json(await models().shadow.create(model, parsed.data, actorOf(caller)), {
      status: 202,
    });
  }),
);
