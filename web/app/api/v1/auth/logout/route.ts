import { revokeSession } from '@osprey/db';
import { withAuth } from '@/lib/api/with-auth';
import { clearedSessionCookie } from '@/lib/auth/session-cookie';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Revokes the session (the token stops working at once, wherever it was copied) and clears the cookie. */
export const POST = withAuth('viewer', async (req: Request, _ctx, caller) => {
  if (caller.kind !== 'user') {
    return Response.json(
      { error: 'logout ends a dashboard session; revoke an API key instead' },
      { status: 400 },
    );
  }
  await revokeSession(runtime().store, caller.sessionToken);
  await caller.audit('auth.logout', caller.user.id);
  return Response.json({ ok: true }, { headers: { 'set-cookie': clearedSessionCookie(req) } });
});
