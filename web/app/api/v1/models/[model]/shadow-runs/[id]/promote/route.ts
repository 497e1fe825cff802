import { shadowPromoteBody } from '@osprey/shadow-runner/api';
import { actorOf } from '@/lib/api/alerts';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/**
 * Promotes the run's candidate when its verdict is promote; `{force: true}` overrides a hold
 * (admin scope, like every promote; the deployment row names the run, the audit log the force).
 */
export const POST = withApiKey(
  'admin',
  async (req: Request, ctx: { params: Promise<{ model: string; id: string }> }, caller) =>
    orRegistryError(async () => {
      const { model, id } = await ctx.params;
      const text = await req.text();
      let body: unknown = {};
      if (text)
        body = await Promise.resolve(text)
          .then(JSON.parse)
          .catch(() => undefined);
      const parsed = shadowPromoteBody.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      const change = await models().shadow.promote(model, id, {
        ...parsed.data,
        actor: actorOf(caller),
      });
      return Response.json(change, { status: 201 });
    }),
);
