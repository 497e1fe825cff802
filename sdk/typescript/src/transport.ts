import { parseRetryAfter } from './backoff';

/** One event the collector refused, by its index in the request. */
export interface Rejection {
  index: number;
  error: string;
}

/** What one POST came to, and so what to do next. */
export type SendOutcome =
  | { kind: 'ok'; accepted: number; rejected: Rejection[] }
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'too-large' }
  | { kind: 'fatal'; reason: string; status: number };

export interface TransportConfig {
  url: string;
  apiKey: string;
  requestTimeoutMs: number;
}

const USER_AGENT = 'osprey-sdk-typescript/0.1.0';

/**
 * POSTs a gzipped JSON array to the collector and classifies the answer. Never throws: network
 * errors and timeouts come back as `retry`. Messages never contain the API key.
 */
export async function post(
  config: TransportConfig,
  path: string,
  body: Buffer,
  count: number,
): Promise<SendOutcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(config.url + path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'user-agent': USER_AGENT,
      },
      body,
      signal: AbortSignal.timeout(config.requestTimeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return { kind: 'retry', reason: describeNetworkError(err, config.requestTimeoutMs) };
  }
  const status = res.status;
  if (status >= 200 && status < 300) return accepted(text, count);
  if (status === 413) return { kind: 'too-large' };
  const reason = `${status}${collectorMessage(text)}`;
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      status,
      reason,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    };
  }
  return { kind: 'fatal', status, reason };
}

function accepted(text: string, count: number): SendOutcome {
  let rejected: Rejection[] = [];
  let acceptedCount = count;
  try {
    const body = JSON.parse(text) as { accepted?: unknown; rejected?: unknown };
    if (Array.isArray(body.rejected)) {
      rejected = body.rejected.filter(
        (r): r is Rejection => typeof r === 'object' && r !== null && typeof r.index === 'number',
      );
    }
    acceptedCount = typeof body.accepted === 'number' ? body.accepted : count - rejected.length;
  } catch {
    // a 2xx without our JSON: the collector took the request; count every event as sent
  }
  return { kind: 'ok', accepted: acceptedCount, rejected };
}

function collectorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return `: ${body.error.slice(0, 300)}`;
  } catch {
    // not JSON; the status says enough
  }
  return '';
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause =
    err instanceof Error
      ? (err.cause as { code?: unknown; message?: unknown } | undefined)
      : undefined;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  if (cause && typeof cause.message === 'string') return `network error: ${cause.message}`;
  return `network error: ${err instanceof Error ? err.message : String(err)}`;
}
