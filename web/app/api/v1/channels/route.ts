import {
  channelInput,
  createChannel,
  lastTests,
  listChannels,
  publicChannel,
} from '@osprey/detectors';
import { alerts, orAlertError } from '@/lib/api/alerts';
import { channelFor } from '@/lib/api/channels';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Channels without their secrets; addresses and URLs for admins only. Admins also get `last_test`:
 * the latest test send's time and outcome, or null.
 */
export const GET = withAuth('viewer', async (_req: Request, _ctx, caller) => {
  const { store } = runtime();
  const [channels, tests] = await Promise.all([listChannels(store), lastTests(store)]);
  return Response.json(
    channels.map((c) =>
      caller.role === 'admin'
        ? { ...channelFor(caller, c), last_test: tests.get(c.id) ?? null }
        : channelFor(caller, c),
    ),
  );
});

/**
 * Creates an email or webhook channel. The answer carries its id and, for a webhook, the signing
 * `secret` (generated when not given) — the only time it is shown.
 */
export const POST = withAuth('admin', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = channelInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const channel = await createChannel(
      runtime().store,
      parsed.data,
      caller.actor,
      alerts().policy,
    );
    const { secret: _s, ...details } = parsed.data as typeof parsed.data & { secret?: string };
    await caller.audit('channel.create', channel.id, details);
    const secret = channel.secrets[0]?.secret;
    return Response.json({ ...publicChannel(channel), ...(secret && { secret }) }, { status: 201 });
  }),
);
