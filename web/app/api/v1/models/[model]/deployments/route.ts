import { models } from '@/lib/api/models';
import { withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/** The model's promotes and rollbacks, newest first (the first is production). */
export const GET = withApiKey(
  'read',
  async (_req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    return Response.json(await models().deployments.history(model));
  },
);
