import { promoteBody } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** Makes `version` the production version: one appended deployment row, audited by the registry. */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const parsed = promoteBody.safeParse(await jsonBody(req));
      if (!parsed.success) return badRequest(parsed.error.issues);
      const change = await models().deployments.promote({
        model,
        version: parsed.data.version,
        reason: parsed.data.reason,
        actor: caller.actor,
      });
      return Response.json(change, { status: 201 });
    }),
  { audit: 'workspace' },
);
