import {
  channelUpdate,
  deleteChannel,
  getChannel,
  publicChannel,
  updateChannel,
} from '@osprey/detectors';
import { alerts, orAlertError } from '@/lib/api/alerts';
import { channelFor } from '@/lib/api/channels';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () =>
    Response.json(channelFor(caller, await getChannel(runtime().store, (await ctx.params).id))),
  ),
);

/**
 * Replaces the channel's settings and enables it again (after a 410). For a webhook, `secret` or
 * `rotate_secret: true` makes a new current secret (shown in the answer); the previous one keeps
 * signing for 24 hours, so messages carry both signatures meanwhile.
 */
export const PUT = withAuth('admin', async (req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const parsed = channelUpdate.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const channel = await updateChannel(store, id, parsed.data, caller.actor, alerts().policy);
    const input = parsed.data as typeof parsed.data & { secret?: string; rotate_secret?: boolean };
    const { secret: _s, ...details } = input;
    await caller.audit('channel.update', id, details);
    const rotated = input.secret !== undefined || input.rotate_secret === true;
    const secret = rotated ? channel.secrets[0]?.secret : undefined;
    return Response.json({ ...publicChannel(channel), ...(secret && { secret }) });
  }),
);

export const DELETE = withAuth('admin', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const channel = await deleteChannel(runtime().store, id, caller.actor);
    await caller.audit('channel.delete', id, { name: channel.name });
    return Response.json(publicChannel(channel));
  }),
);
