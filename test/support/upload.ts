import { gzipSync } from 'node:zlib';

/** Posts rows to a collector endpoint in gzipped batches; fails on any rejection. */
export async function postAll(
  url: string,
  apiKey: string,
  path: '/v1/predictions' | '/v1/labels' | '/v1/reference',
  rows: readonly object[],
  batch = 5_000,
): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify(rows.slice(i, i + batch))),
    });
    const answer = (await res.json()) as { accepted?: number; rejected?: unknown[] };
    if (res.status !== 200 || answer.rejected?.length) {
      throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer).slice(0, 500)}`);
    }
  }
}

/** An admin call to the API. */
export async function api<T>(
  url: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * `POST …/detect` over exactly one of the model's windows: that window's detection (with the
 * call's alert transitions) in the shape a single window's results have.
 */
export async function detectOne<T>(
  url: string,
  apiKey: string,
  model: string,
  window: { from: string; to: string },
): Promise<{ status: number; body: T }> {
  const res = await api<{ windows: T[]; alerts: unknown[] }>(
    url,
    apiKey,
    'POST',
    `/api/v1/models/${model}/detect`,
    window,
  );
  if (res.status !== 200) return res as unknown as { status: number; body: T };
  if (res.body.windows.length !== 1)
    throw new Error(`detect over one window answered ${res.body.windows.length} windows`);
  return { status: 200, body: { ...res.body.windows[0]!, alerts: res.body.alerts } };
}
