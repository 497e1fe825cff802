import { alerts, orAlertError } from '@/lib/api/alerts';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** Sends a test notification through the channel now, once, and answers what happened. */
export const POST = withAuth(
  'admin',
  async (_req: Request, ctx: { params: Promise<{ id: string }> }, caller) =>
    orAlertError(async () => {
      const { id } = await ctx.params;
      const result = await alerts().sendTest(id);
      await caller.audit('channel.test', id, result);
      return Response.json(result, { status: result.delivered ? 200 : 502 });
    }),
);
