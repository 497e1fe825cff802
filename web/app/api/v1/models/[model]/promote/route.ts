import { promoteBody } from '@osprey/shadow-runner/api';
import { actorOf, jsonBody } from '@/lib/api/alerts';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/** Makes `version` the production version: one appended deployment row, audited. */
export const POST = withApiKey(
  'admin',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const parsed = promoteBody.safeParse(await jsonBody(req));
      if (!parsed.success) return badRequest(parsed.error.issues);
      const change = await models().deployments.promote({
        model,
        version: parsed.data.version,
        reason: parsed.data.reason,
        actor: actorOf(caller),
      });
      return Response.json(change, { status: 201 });
    }),
);
