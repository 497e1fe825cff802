import { models } from '@/lib/api/models';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** The model's promotes and rollbacks, newest first (the first is production). */
export const GET = withAuth(
  'viewer',
  async (_req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    return Response.json(await models().deployments.history(model));
  },
);
