import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getShadowRun, sampleBound, shadowComparison, type Store } from '@osprey/db';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shadowRunRequest } from '../api';
import type { InferencePool } from '../inference/pool';
import type { Models } from '../models';
import { FIXTURE_MODELS, HOUSE_FEATURES as FEATURES, pythonOrt } from '../testing/python';
import { openShadowStore } from '../testing/shadow-store';
import { shadowMetricSource } from './alert-metric';
import { ShadowRunner } from './runner';

// A replay larger than its sample: per-event rows only for the sample, the disagreements and
// the labelled events, while the summary, the charts and the alert metric still count every
// event (shadow_batches), exactly as computed here from all of them.
const dir = mkdtempSync(join(tmpdir(), 'osprey-sampled-'));
const N = 600;
const SAMPLE = 60;
const LABELLED = 100;
const T0 = Date.parse('2026-05-01T00:00:00Z');
let store: Store;
let models: Models;
let pool: InferencePool;
let runner: ShadowRunner;

const x = Array.from({ length: N }, (_, i) => [
  1 + (i % 7),
  Math.max(1, i % 7),
  30 + ((i * 37) % 160),
  (i * 13) % 90,
  0.5 + (i % 20),
  i % 3 === 0 ? 1 : 0,
]);
const ids: string[] = Array.from({ length: N }, () => randomUUID());
let candidate: number[];
let logged: number[];
let truth: number[];

beforeAll(async () => {
  ({ store, models, pool } = await openShadowStore(dir));
  runner = new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: pino({ level: 'silent' }),
    pollMs: 60_000,
    progressMs: 0,
    sampleEvents: SAMPLE,
  });
  const path = join(FIXTURE_MODELS, 'house_price_linear.onnx');
  candidate = (await pythonOrt(path, { features: { dims: [N, 6], data: x.flat() } })).price!;
  // Production logged the candidate's own answer, but 5% off for every 10th event (those disagree)
  // and 0.4% off for every 7th (within the 1% tolerance: they agree).
  logged = candidate.map((c, i) => (i % 10 === 0 ? c * 1.05 : i % 7 === 0 ? c * 1.004 : c));
  truth = candidate.map((c, i) => c + (i % 2 ? 15_000 : -10_000));
  await store.insert(
    'predictions',
    x.map((f, i) => ({
      event_id: ids[i],
      timestamp: T0 + i * 1000,
      model: 'houses',
      version: i < N / 2 ? 'v0' : 'v1',
      num_features: Object.fromEntries(FEATURES.slice(0, 5).map((name, j) => [name, f[j]])),
      bool_features: { has_garden: f[5] === 1 },
      prediction_num: logged[i],
    })),
  );
  await store.insert(
    'labels',
    ids.slice(0, LABELLED).map((id, i) => ({
      model: 'houses',
      event_id: id,
      request_id: '',
      label_num: truth[i],
      timestamp: T0 + i * 1000 + 60_000,
    })),
  );
  await models.registry.push({
    model: 'houses',
    version: 'v2',
    body: readFileSync(path),
    features: FEATURES,
    actor: 'test',
  });
});
afterAll(async () => {
  await runner?.stop();
  await pool?.close();
  await store?.close();
});

it('keeps per-event rows for the sample, the disagreements and the labels; counts every event', async () => {
  const queued = await models.shadow.create(
    'houses',
    shadowRunRequest.parse({
      candidate_version: 'v2',
      from: T0,
      to: T0 + N * 1000,
      batch_size: 64,
      criteria: { max_abs_diff_p95: 1e9 },
    }),
    'test',
  );
  await runner.execute((await getShadowRun(store, queued.id))!);
  const run = await models.shadow.require(queued.id);
  expect({ status: run.status, error: run.error }).toEqual({ status: 'done', error: null });

  const diffs = candidate.map((c, i) => Math.abs(c - logged[i]!));
  const sorted = [...diffs].sort((a, b) => a - b);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const labelled = Array.from({ length: LABELLED }, (_, i) => i);
  const close = (v: number) => expect.closeTo(v, 6);
  expect(run.summary).toMatchObject({
    rows: N,
    compared: N,
    abs_diff_mean: close(mean(diffs)),
    // quantileExact(0.95): the element at floor(0.95 n) of the sorted values.
    abs_diff_p95: sorted[Math.floor(0.95 * N)],
    abs_diff_max: sorted.at(-1),
    labelled: LABELLED,
    production_mae: close(mean(labelled.map((i) => Math.abs(logged[i]! - truth[i]!)))),
    candidate_mae: close(mean(labelled.map((i) => Math.abs(candidate[i]! - truth[i]!)))),
    ks_statistic: close(ks(logged, candidate)),
    latency: { batches: Math.ceil(N / 64), batch_size: 64, batch_size_chosen_by: 'request' },
  });

  // Per-event rows: exactly the sample (by the same hash the reader used), the disagreements and
  // the labelled events.
  const hashes = await store.query<{ id: string; s: number }>(
    `SELECT toString(event_id) AS id, toUInt8(cityHash64(event_id) <= {b:UInt64}) AS s
     FROM predictions WHERE model = 'houses'`,
    { b: sampleBound(SAMPLE / N).toString() },
  );
  const sampled = new Set(hashes.filter((h) => Number(h.s) === 1).map((h) => h.id));
  expect(sampled.size).toBeGreaterThan(SAMPLE / 3);
  expect(sampled.size).toBeLessThan(SAMPLE * 3);
  const expected = ids.filter((id, i) => sampled.has(id) || i % 10 === 0 || i < LABELLED).sort();
  const rows = await store.query<{ e: string; d: number }>(
    `SELECT toString(event_id) AS e, abs_diff AS d FROM shadow_results
     WHERE run_id = toUUID({id:String}) ORDER BY e`,
    { id: run.id },
  );
  expect(rows.map((r) => r.e)).toEqual(expected);
  expect(expected.length).toBeLessThan(N / 2);
  for (const r of rows) expect(r.d).toBeCloseTo(diffs[ids.indexOf(r.e)]!, 6);

  // The run page: the scatter draws the lowest-hash events of all, the histogram counts all.
  const page = await shadowComparison(store, run.id, { points: 20 });
  const lowest = await store.query<{ id: string }>(
    `SELECT toString(event_id) AS id FROM predictions WHERE model = 'houses'
     ORDER BY cityHash64(event_id) LIMIT 20`,
  );
  expect(page.scatter).toEqual(
    lowest.map(({ id }) => {
      const i = ids.indexOf(id);
      return { production: logged[i], candidate: expect.closeTo(candidate[i]!, 6) };
    }),
  );
  expect(page.diff_histogram.reduce((a, b) => a + b.count, 0)).toBe(N);
  expect(page.logged_by).toEqual([
    { version: 'v0', count: N / 2 },
    { version: 'v1', count: N / 2 },
  ]);

  // The alert metric over a window of the run: every 10th event disagrees.
  const metric = await shadowMetricSource(store)({
    metric: 'shadow.disagreement',
    detection: {
      model: 'houses',
      window: {
        from: new Date(T0 + 100_000).toISOString(),
        to: new Date(T0 + 300_000).toISOString(),
      },
    },
  });
  expect(metric).toEqual([{ feature: null, value: expect.closeTo(20 / 200, 9) }]);
});

/** Two-sample Kolmogorov–Smirnov statistic: the largest gap between the empirical CDFs. */
function ks(a: number[], b: number[]): number {
  const sa = [...a].sort((p, q) => p - q);
  const sb = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < sa.length && j < sb.length) {
    const v = Math.min(sa[i]!, sb[j]!);
    while (i < sa.length && sa[i]! <= v) i++;
    while (j < sb.length && sb[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / sa.length - j / sb.length));
  }
  return d;
}
