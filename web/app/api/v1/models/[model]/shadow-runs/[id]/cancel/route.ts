import { models, orRegistryError } from '@/lib/api/models';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** Cancels a queued run at once, a running one after its current batch. */
export const POST = withAuth(
  'editor',
  async (_req: Request, ctx: { params: Promise<{ model: string; id: string }> }, caller) =>
    orRegistryError(async () => {
      const { model, id } = await ctx.params;
      return Response.json(await models().shadow.cancel(model, id, caller.actor));
    }),
  { audit: 'workspace' },
);
