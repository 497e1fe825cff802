import { recordAudit } from '@osprey/db';
import { channelInput, createChannel, listChannels, publicChannel } from '@osprey/detectors';
import { actorOf, alerts, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Channels without their secrets (addresses and URLs can be sensitive: admin scope). */
export const GET = withApiKey('admin', async () =>
  Response.json((await listChannels(runtime().store)).map(publicChannel)),
);

/**
 * Creates an email or webhook channel. The answer carries its id and, for a webhook, the signing
 * `secret` (generated when not given) — the only time it is shown.
 */
export const POST = withApiKey('admin', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = channelInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const channel = await createChannel(store, parsed.data, actorOf(caller), alerts().policy);
    const { secret: _s, ...details } = parsed.data as typeof parsed.data & { secret?: string };
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'channel.create',
      target: channel.id,
      details,
    });
    const secret = channel.secrets[0]?.secret;
    return Response.json({ ...publicChannel(channel), ...(secret && { secret }) }, { status: 201 });
  }),
);
