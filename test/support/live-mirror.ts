import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sampleHash } from '../../shadow-runner/src/replay/live-sources';
import { FIXTURE_MODELS, HOUSE_FEATURES, pythonOrt } from '../../shadow-runner/src/testing/python';
import { eventually } from './http';
import type { OspreyProcess } from './osprey-process';
import { api, postAll } from './upload';

interface LiveRun {
  id: string;
  status: string;
  progress: { rows_done: number };
  summary: Record<string, unknown> | null;
  error: string | null;
}

/** `n` house events with the given ids, logged as the linear model (v1) answered them. */
async function houseEvents(model: string, ids: string[]): Promise<object[]> {
  const x = ids.map((_, i) => [
    1 + (i % 6),
    2,
    40 + ((i * 13) % 120),
    (i * 7) % 60,
    1 + (i % 9),
    i % 2,
  ]);
  const linear = join(FIXTURE_MODELS, 'house_price_linear.onnx');
  const y = (await pythonOrt(linear, { features: { dims: [ids.length, 6], data: x.flat() } }))
    .price!;
  return x.map((row, i) => ({
    event_id: ids[i],
    model,
    version: 'v1',
    features: {
      ...Object.fromEntries(HOUSE_FEATURES.slice(0, 5).map((f, j) => [f, row[j]])),
      has_garden: row[5] === 1,
    },
    prediction: y[i],
  }));
}

/**
 * A live mirror through a running `osprey`: registers the linear model as v1 of `model`, logs
 * events before the mirror starts (not mirrored), starts a mirror of v1 at a 50% sample, logs
 * more through the collector and waits until exactly the sampled ones are scored — with no
 * difference from the logged predictions — then cancels it. Answers the final run.
 */
export async function checkLiveMirror(osprey: OspreyProcess, model: string): Promise<LiveRun> {
  const { url, apiKey } = osprey;
  const upload = await fetch(
    `${url}/api/v1/models/${model}/versions?version=v1&features=${HOUSE_FEATURES.join(',')}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: readFileSync(join(FIXTURE_MODELS, 'house_price_linear.onnx')),
    },
  );
  expect(upload.status).toBe(201);
  const before = Array.from({ length: 50 }, () => randomUUID());
  await postAll(url, apiKey, '/v1/predictions', await houseEvents(model, before));

  const created = await api<LiveRun>(url, apiKey, 'POST', `/api/v1/models/${model}/shadow-runs`, {
    mode: 'live',
    candidate_version: 'v1',
    sample_rate: 0.5,
    batch_size: 64,
  });
  expect(created.status).toBe(202);
  const get = async () =>
    (
      await api<LiveRun>(
        url,
        apiKey,
        'GET',
        `/api/v1/models/${model}/shadow-runs/${created.body.id}`,
      )
    ).body;
  await eventually(async () => (await get()).status === 'running', 30_000, 'the mirror to start');

  const ids = Array.from({ length: 400 }, () => randomUUID());
  await postAll(url, apiKey, '/v1/predictions', await houseEvents(model, ids), 100);
  const sampled = ids.filter((id) => sampleHash(id) < 0.5 * 2 ** 32).length;
  expect(sampled).toBeGreaterThan(140);
  expect(sampled).toBeLessThan(260);
  await eventually(
    async () => (await get()).progress.rows_done >= sampled,
    30_000,
    'the mirror to score the sampled events',
  );
  const cancelled = await api(
    url,
    apiKey,
    'POST',
    `/api/v1/models/${model}/shadow-runs/${created.body.id}/cancel`,
  );
  expect(cancelled.status).toBe(200);
  await eventually(async () => (await get()).status === 'cancelled', 30_000, 'the mirror to stop');
  const run = await get();
  expect(run.error).toBeNull();
  expect(run.progress.rows_done).toBe(sampled);
  expect(run.summary).toMatchObject({
    rows: sampled,
    compared: sampled,
    abs_diff_max: 0,
    live: { source: 'feed', dropped: 0 },
  });
  return run;
}
