/** Small helpers for talking to a running Osprey from tests. */
export function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  return fetch(url, { method: 'POST', body, headers }).then(async (res) => ({
    status: res.status,
    json: (await res.json().catch(() => ({}))) as Record<string, unknown>,
    headers: res.headers,
  }));
}

export async function getJson<T>(url: string, apiKey: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Stats {
  count: number;
  errors: number;
  error_rate: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  throughput_per_min: number;
}

export function stats(
  base: string,
  apiKey: string,
  model: string,
  from = '2000-01-01T00:00:00Z',
  to = '2100-01-01T00:00:00Z',
) {
  return getJson<Stats>(`${base}/api/v1/models/${model}/stats?from=${from}&to=${to}`, apiKey);
}

/** Polls until `check` returns true (data lands asynchronously in some paths) or throws at the deadline. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Polls `count` until it reaches `target`, failing only when it stalls: no increase for `stallMs`
 * (how long work of this kind may take on a loaded machine is not what such a test checks, that
 * it keeps going and ends is).
 */
export async function progressesTo(
  count: () => Promise<number>,
  target: number,
  stallMs: number,
  what: string,
): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const now = await count();
    if (now >= target) return;
    if (now > last) [last, movedAt] = [now, Date.now()];
    else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: stalled at ${now} of ${target} for ${stallMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** ClickHouse's quantileExactLow: the low median at 0.5, else the element at floor(level × n). */
export function quantileExactLow(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const index =
    level === 0.5
      ? n % 2 === 1
        ? Math.floor(n / 2)
        : n / 2 - 1
      : level < 1
        ? Math.floor(level * n)
        : n - 1;
  return sorted[index]!;
}

/** Posts an already-gzipped JSON batch of predictions, as the SDKs do. */
export function postGzippedPredictions(
  base: string,
  apiKey: string,
  body: Buffer,
  path = '/v1/predictions',
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    },
    body,
  });
}
