/**
 * CSRF defence for requests authenticated by the session cookie: the Origin check (OWASP's
 * "verifying origin with standard headers"). Every browser sends Origin on a POST, PUT, PATCH or
 * DELETE, and a page cannot forge it, so a mutation whose Origin is not this site's is refused.
 * It needs no token round-trip, works for fetch() and forms alike, and adds to SameSite=Lax (which
 * already keeps the cookie off cross-site POSTs in current browsers). A request with neither Origin
 * nor Referer is refused too: it does not come from a browser page, and scripts use API keys.
 * The site is the Host the request came to (X-Forwarded-Host behind a proxy) or OSPREY_PUBLIC_URL.
 */
export function csrfRefusal(req: Request): string | undefined {
  const source = req.headers.get('origin') ?? referrerOrigin(req.headers.get('referer'));
  if (!source || source === 'null') {
    return 'cross-site request refused: a mutation with a session cookie needs an Origin header';
  }
  let host: string;
  try {
    host = new URL(source).host;
  } catch {
    return `cross-site request refused: Origin ${source} is not a URL`;
  }
  if (allowedHosts(req).has(host)) return undefined;
  return `cross-site request refused: Origin ${source} is not this site`;
}

function referrerOrigin(referer: string | null): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function allowedHosts(req: Request): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string | null | undefined) => h && hosts.add(h.split(',')[0]!.trim());
  add(req.headers.get('host'));
  add(req.headers.get('x-forwarded-host'));
  const publicUrl = process.env.OSPREY_PUBLIC_URL;
  if (publicUrl) {
    try {
      add(new URL(publicUrl).host);
    } catch {
      // validated at start by alertsEnv
    }
  }
  return hosts;
}
