import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from '@/lib/security/headers';

/**
 * Every page gets its own CSP nonce: Next.js reads it from the request's Content-Security-Policy
 * header while rendering and puts it on its scripts; the browser gets the same policy.
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce());
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  // Pages only. The API (/api, /v1) is left out on purpose: a matched request's body is copied
  // for the proxy (and cut at 10 MB), which model uploads must never go through.
  matcher: [
    {
      source: '/((?!api/|v1/|_next/static|_next/image|favicon.ico|healthz|metrics).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
