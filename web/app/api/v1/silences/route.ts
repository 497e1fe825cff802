import { recordAudit } from '@osprey/db';
import { createSilence, listSilences, silenceInput } from '@osprey/detectors';
import { actorOf, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Silences that have not ended; `?all=true` includes expired ones. */
export const GET = withApiKey('read', async (req: Request) =>
  Response.json(
    await listSilences(runtime().store, {
      all: new URL(req.url).searchParams.get('all') === 'true',
    }),
  ),
);

/** Creates a silence: matching alerts are not notified until `ends_at` (events are still kept). */
export const POST = withApiKey('admin', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = silenceInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const silence = await createSilence(store, parsed.data, actorOf(caller));
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'silence.create',
      target: silence.id,
      details: parsed.data,
    });
    return Response.json(silence, { status: 201 });
  }),
);
