/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)), so
 * clients that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when neither. */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (!/^[A-Za-z]{3},/.test(value)) return undefined; // IMF-fixdate: `Wed, 21 Oct 2015 07:28:00 GMT`
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A timer that never keeps the process alive, unless `keepAlive`: for waits that a caller is
 * awaiting, which must not end with the process exiting under them.
 */
export function sleep(ms: number, keepAlive = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}
