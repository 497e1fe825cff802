import { shadowPromoteBody } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/**
 * Promotes the run's candidate when its verdict is promote (an empty body will do); `{force: true}`
 * overrides a hold and needs the admin role. The deployment row names the run.
 */
export const POST = withAuth(
  'editor',
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
      if (parsed.data.force && caller.role !== 'admin')
        return Response.json(
          { error: `force: overriding a hold needs the admin role; this caller is ${caller.role}` },
          { status: 403 },
        );
      const change = await models().shadow.promote(model, id, {
        ...parsed.data,
        actor: caller.actor,
      });
      return Response.json(change, { status: 201 });
    }),
  { audit: 'workspace' },
);
