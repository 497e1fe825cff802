import { createFirstAdmin } from '@osprey/db';
import { badRequest, jsonBody } from '@/lib/api/request';
import { orUserError, setupBody } from '@/lib/api/users';
import { csrfRefusal } from '@/lib/auth/csrf';
import { requestClient, startSession, takeSetupAttempt } from '@/lib/auth/login';
import { sessionCookie } from '@/lib/auth/session-cookie';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * The one-time setup of a fresh install (no OSPREY_ADMIN_EMAIL given): creates the first admin
 * and signs them in, only while there is no user at all (409 after). Another site's page cannot
 * post it (Origin check), and attempts per client network are rate limited like logins.
 */
export async function POST(req: Request): Promise<Response> {
  const refusal = csrfRefusal(req);
  if (refusal) return Response.json({ error: refusal }, { status: 403 });
  const client = requestClient(req);
  const allowed = takeSetupAttempt(client);
  if (!allowed.ok)
    return Response.json(
      { error: `too many setup attempts: try again in ${allowed.retryAfterS} s` },
      { status: 429, headers: { 'retry-after': String(allowed.retryAfterS) } },
    );
  const parsed = setupBody.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  return orUserError(async () => {
    const user = await createFirstAdmin(runtime().store, parsed.data);
    const session = await startSession(user, 'auth.setup', client.address);
    return Response.json(
      { user, expires_at: session.expiresAt.toISOString() },
      {
        status: 201,
        headers: { 'set-cookie': sessionCookie(req, session.token, session.expiresAt) },
      },
    );
  });
}
