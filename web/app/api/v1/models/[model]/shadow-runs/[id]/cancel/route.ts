import { actorOf } from '@/lib/api/alerts';
import { models, orRegistryError } from '@/lib/api/models';
import { withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/** Cancels a queued run at once, a running one after its current batch. */
export const POST = withApiKey(
  'admin',
  async (_req: Request, ctx: { params: Promise<{ model: string; id: string }> }, caller) =>
    orRegistryError(async () => {
      const { model, id } = await ctx.params;
      return Response.json(await models().shadow.cancel(model, id, actorOf(caller)));
    }),
);
