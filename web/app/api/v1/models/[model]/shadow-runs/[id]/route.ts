import { models, orRegistryError } from '@/lib/api/models';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** One run: status, progress (rows done, total, rate, ETA), summary and verdict when done. */
export const GET = withAuth(
  'viewer',
  async (_req: Request, ctx: { params: Promise<{ model: string; id: string }> }) =>
    orRegistryError(async () => {
      const { model, id } = await ctx.params;
      return Response.json(await models().shadow.require(id, model));
    }),
);
