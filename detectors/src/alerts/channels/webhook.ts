import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { EgressRefused, type EgressPolicy } from './egress';
import type { Outcome } from './outcome';

/**
 * POSTs one webhook body. Redirects are not followed (a 3xx is a failed attempt), 410 disables
 * the endpoint, Retry-After is passed on; the whole exchange must end within `timeoutMs`.
 */
export function postWebhook(opts: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  policy: EgressPolicy;
}): Promise<Outcome> {
  const url = new URL(opts.url);
  const refused = opts.policy.literalRefusal(url);
  if (refused) return Promise.resolve({ ok: false, error: refused, permanent: true });
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
      lookup: opts.policy.lookup(),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume(); // the body is not needed; drain it so the socket closes
      res.on('end', () => resolve(outcomeOf(res)));
      res.on('error', () => resolve(outcomeOf(res)));
    });
    req.on('error', (err: Error) => {
      if (err instanceof EgressRefused) resolve({ ok: false, error: err.message, permanent: true });
      else if (err.name === 'AbortError' || err.name === 'TimeoutError') {
        resolve({ ok: false, error: `no answer within ${opts.timeoutMs / 1000} s` });
      } else
        resolve({
          ok: false,
          error: `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}`,
        });
    });
    req.end(opts.body);
  });
}

function outcomeOf(res: IncomingMessage): Outcome {
  const code = res.statusCode ?? 0;
  if (code >= 200 && code < 300) return { ok: true, code };
  if (code === 410)
    return { ok: false, code, error: 'HTTP 410 Gone: endpoint disabled', disable: true };
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  const error =
    code >= 300 && code < 400
      ? `HTTP ${code} redirect to ${res.headers.location ?? '?'} not followed; point the channel at the final URL`
      : `HTTP ${code}`;
  return { ok: false, code, error, ...(retryAfterMs !== undefined && { retryAfterMs }) };
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
