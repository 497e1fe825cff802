import { recordAudit } from '@osprey/db';
import {
  channelUpdate,
  deleteChannel,
  getChannel,
  publicChannel,
  updateChannel,
} from '@osprey/detectors';
import { actorOf, alerts, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withApiKey('admin', async (_req: Request, ctx: Ctx) =>
  orAlertError(async () =>
    Response.json(publicChannel(await getChannel(runtime().store, (await ctx.params).id))),
  ),
);

/**
 * Replaces the channel's settings and enables it again (after a 410). For a webhook, `secret` or
 * `rotate_secret: true` makes a new current secret (shown in the answer); the previous one keeps
 * signing for 24 hours, so messages carry both signatures meanwhile.
 */
export const PUT = withApiKey('admin', async (req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const parsed = channelUpdate.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const channel = await updateChannel(store, id, parsed.data, actorOf(caller), alerts().policy);
    const input = parsed.data as typeof parsed.data & { secret?: string; rotate_secret?: boolean };
    const { secret: _s, ...details } = input;
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'channel.update',
      target: id,
      details,
    });
    const rotated = input.secret !== undefined || input.rotate_secret === true;
    const secret = rotated ? channel.secrets[0]?.secret : undefined;
    return Response.json({ ...publicChannel(channel), ...(secret && { secret }) });
  }),
);

export const DELETE = withApiKey('admin', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const { store } = runtime();
    const channel = await deleteChannel(store, id, actorOf(caller));
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'channel.delete',
      target: id,
      details: { name: channel.name },
    });
    return Response.json(publicChannel(channel));
  }),
);
