/** The dashboard's session cookie: an opaque random token (see db/src/queries/sessions.ts). */
export const SESSION_COOKIE = 'osprey_session';

export function sessionToken(req: Request): string | undefined {
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value.length > 0 ? value : undefined;
    }
  }
  return undefined;
}

/** https as the browser sees it: the request itself, or the proxy in front that says so. */
export function isHttps(req: Request): boolean {
  const forwarded = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(req.url).protocol.replace(':', '')) === 'https';
}

/**
 * httpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site subrequests or
 * cross-site POSTs), Secure behind https, Path=/ and an expiry equal to the session's.
 */
export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAge}`,
    `Expires=${expiresAt.toUTCString()}`,
    ...(isHttps(req) ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(req: Request): string {
  return sessionCookie(req, '', new Date(0));
}
