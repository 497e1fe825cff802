/**
 * The dashboard's Content-Security-Policy, with a fresh nonce per page request (set by proxy.ts;
 * Next.js puts the nonce on its own scripts and inline styles). The static security headers of
 * every response are in next.config.ts.
 */

/**
 * Scripts only from this origin with the request's nonce ('strict-dynamic' lets those load the
 * chunks they import); styles from this origin or with the nonce, and style attributes (React
 * renders `style={…}` as attributes, which cannot run script); nothing may frame the dashboard.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A nonce no page can guess: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
