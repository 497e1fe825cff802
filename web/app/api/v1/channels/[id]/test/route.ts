import { recordAudit } from '@osprey/db';
import { actorOf, alerts, orAlertError } from '@/lib/api/alerts';
import { withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Sends a test notification through the channel now, once, and answers what happened. */
export const POST = withApiKey(
  'admin',
  async (_req: Request, ctx: { params: Promise<{ id: string }> }, caller) =>
    orAlertError(async () => {
      const { id } = await ctx.params;
      const result = await alerts().sendTest(id);
      await recordAudit(runtime().store, {
        actor: actorOf(caller),
        action: 'channel.test',
        target: id,
        details: result,
      });
      return Response.json(result, { status: result.delivered ? 200 : 502 });
    }),
);
