import { badRequest, jsonBody } from '@/lib/api/request';
import { loginBody } from '@/lib/api/users';
import { csrfRefusal } from '@/lib/auth/csrf';
import { login, requestClient } from '@/lib/auth/login';
import { sessionCookie } from '@/lib/auth/session-cookie';

export const dynamic = 'force-dynamic';

/** Email + password → the session cookie. Rate limited per email and client address. */
export async function POST(req: Request): Promise<Response> {
  // A login from another site's page would sign the browser into the attacker's account.
  if (req.headers.get('origin') || req.headers.get('referer')) {
    const refusal = csrfRefusal(req);
    if (refusal) return Response.json({ error: refusal }, { status: 403 });
  }
  const parsed = loginBody.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const result = await login(parsed.data, requestClient(req));
  if (!result.ok) {
    const headers = result.retryAfterS ? { 'retry-after': String(result.retryAfterS) } : undefined;
    return Response.json({ error: result.error }, { status: result.status, headers });
  }
  return Response.json(
    { user: result.user, expires_at: result.expiresAt.toISOString() },
    { headers: { 'set-cookie': sessionCookie(req, result.token, result.expiresAt) } },
  );
}
