import { createSilence, listSilences, silenceInput } from '@osprey/detectors';
import { orAlertError } from '@/lib/api/alerts';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Silences that have not ended; `?all=true` includes expired ones. */
export const GET = withAuth('viewer', async (req: Request) =>
  Response.json(
    await listSilences(runtime().store, {
      all: new URL(req.url).searchParams.get('all') === 'true',
    }),
  ),
);

/** Creates a silence: matching alerts are not notified until `ends_at` (events are still kept). */
export const POST = withAuth('editor', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = silenceInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const silence = await createSilence(runtime().store, parsed.data, caller.actor);
    await caller.audit('silence.create', silence.id, parsed.data);
    return Response.json(silence, { status: 201 });
  }),
);
