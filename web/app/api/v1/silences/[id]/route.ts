import { recordAudit } from '@osprey/db';
import { expireSilence, getSilence } from '@osprey/detectors';
import { actorOf, orAlertError } from '@/lib/api/alerts';
import { withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withApiKey('read', async (_req: Request, ctx: Ctx) =>
  orAlertError(async () => Response.json(await getSilence(runtime().store, (await ctx.params).id))),
);

/** Expires the silence now. */
export const DELETE = withApiKey('admin', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const { store } = runtime();
    const silence = await expireSilence(store, id);
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'silence.expire',
      target: id,
      details: {},
    });
    return Response.json(silence);
  }),
);
