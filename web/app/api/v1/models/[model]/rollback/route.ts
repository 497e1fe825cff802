import { rollbackBody } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** Back to `to`, or by default to the version that was production before the current one. */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const parsed = rollbackBody.safeParse(await jsonBody(req));
      if (!parsed.success) return badRequest(parsed.error.issues);
      const change = await models().deployments.rollback({
        model,
        to: parsed.data.to,
        reason: parsed.data.reason,
        actor: caller.actor,
      });
      return Response.json(change, { status: 201 });
    }),
  { audit: 'workspace' },
);
