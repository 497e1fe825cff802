import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getShadowRun, type Store } from '@osprey/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shadowRunRequest, type ShadowRun } from '../api';
import type { InferencePool } from '../inference/pool';
import type { Models } from '../models';
import { openShadowStore } from '../testing/shadow-store';
import { FIXTURE_MODELS, HOUSE_FEATURES, pythonOrt } from '../testing/python';
import { ShadowRunner } from './runner';
import type { SideBySideReport } from './side-by-side-report';

/**
 * The compression example: production is the house-price MLP (v1), logged by a service that
 * computes in float64; the candidates are its int8 quantized copy and a distilled MLP. Agreement
 * is checked against python onnxruntime on the same inputs in the same batches (the quantized
 * model's activation scale depends on the batch); speed only where the relationship must hold.
 */
const dir = mkdtempSync(join(tmpdir(), 'osprey-compression-'));
const file = (f: string) => join(FIXTURE_MODELS, f);
const N = 2048;
const BATCH = 256;
const LABELLED = 400;
const T0 = Date.parse('2026-04-01T00:00:00Z');
const actor = 'test';
let store: Store;
let models: Models;
let pool: InferencePool;
let runner: ShadowRunner;
const out: Record<'mlp' | 'int8' | 'distilled' | 'above', number[]> = {
  mlp: [],
  int8: [],
  distilled: [],
  above: [],
};
/** What the service logged: production's answer in float64, off the float32 model's by a little. */
const logged = (i: number) => out.mlp[i]! + ((i % 5) - 2) * 0.01;
const label = (i: number) => out.mlp[i]! + (i % 2 ? 15_000 : -25_000);

const houses = Array.from({ length: N }, (_, i) => {
  const rooms = 1 + (i % 7);
  return {
    rooms,
    bedrooms: Math.max(1, rooms - 1 - (i % 2)),
    area_sqm: 30 + ((i * 37) % 160),
    age_years: (i * 13) % 90,
    distance_to_center_km: 0.5 + ((i * 7) % 20),
    has_garden: i % 3 === 0,
  };
});

beforeAll(async () => {
  ({ store, models, pool } = await openShadowStore(dir));
  runner = new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: pino({ level: 'silent' }),
    pollMs: 60_000,
    progressMs: 0,
  });
  const data = houses.flatMap((h) => HOUSE_FEATURES.map((f) => Number(h[f as keyof typeof h])));
  const inputs = { features: { dims: [N, 6], data } };
  const [mlp, int8, distilled] = await Promise.all(
    ['house_price_mlp', 'house_price_mlp_int8', 'house_price_mlp_distilled'].map((m) =>
      pythonOrt(file(`${m}.onnx`), inputs, BATCH).then((o) => o.price!),
    ),
  );
  const above = (await pythonOrt(file('house_price_above_400k.onnx'), inputs)).label!;
  Object.assign(out, { mlp, int8, distilled, above });
  const rows = houses.map((h, i) => ({
    event_id: randomUUID(),
    timestamp: T0 + i * 1000,
    model: 'prices',
    version: 'v1',
    num_features: Object.fromEntries(Object.entries(h).filter(([, v]) => typeof v === 'number')),
    bool_features: { has_garden: h.has_garden },
    cat_features: {},
    null_features: [],
    prediction_num: logged(i),
    prediction_label: null,
    prediction_vec: [],
    latency_ms: 5,
    error: '',
    tags: {},
    request_id: '',
  }));
  await store.insert('predictions', rows);
  await store.insert(
    'predictions',
    rows.map((r) => ({ ...r, event_id: randomUUID(), model: 'unproduced' })),
  );
  // A classifier whose service logged a wrong label for every 10th event.
  const flipped = (i: number) => String(i % 10 === 0 ? 1 - above[i]! : above[i]!);
  const aboveRows = rows.map((r, i) => ({
    ...r,
    event_id: randomUUID(),
    model: 'above',
    prediction_num: null,
    prediction_label: flipped(i),
  }));
  await store.insert('predictions', aboveRows);
  // Truth for the first 100: the model's answer, except every 4th.
  await store.insert(
    'labels',
    aboveRows.slice(0, 100).map((r, i) => ({
      model: 'above',
      event_id: r.event_id,
      request_id: '',
      label_num: null,
      label_str: String(i % 4 === 0 ? 1 - above[i]! : above[i]!),
      timestamp: r.timestamp + 60_000,
    })),
  );
  await store.insert(
    'labels',
    rows.slice(0, LABELLED).map((r, i) => ({
      model: 'prices',
      event_id: r.event_id,
      request_id: '',
      label_num: label(i),
      label_str: null,
      timestamp: r.timestamp + 60_000,
    })),
  );
  for (const [m, version, f] of [
    ['prices', 'v1', 'house_price_mlp.onnx'],
    ['prices', 'v1-int8', 'house_price_mlp_int8.onnx'],
    ['prices', 'v1-distilled', 'house_price_mlp_distilled.onnx'],
    ['unproduced', 'v2', 'house_price_mlp_distilled.onnx'],
    ['above', 'v1', 'house_price_above_400k.onnx'],
    ['above', 'v1-again', 'house_price_above_400k.onnx'],
  ] as const)
    await models.registry.push({
      model: m,
      version,
      body: readFileSync(file(f)),
      features: HOUSE_FEATURES,
      actor,
    });
  await models.deployments.promote({ model: 'prices', version: 'v1', reason: 'MLP', actor });
  await models.deployments.promote({ model: 'above', version: 'v1', reason: 'first', actor });
}, 120_000);
afterAll(async () => {
  await runner?.stop();
  await pool?.close();
  await store?.close();
});

async function replay(model: string, body: Record<string, unknown>): Promise<ShadowRun> {
  const request = shadowRunRequest.parse({
    from: T0,
    to: T0 + N * 1000,
    batch_size: BATCH,
    ...body,
  });
  const queued = await models.shadow.create(model, request, actor);
  await runner.execute((await getShadowRun(store, queued.id))!);
  const run = await models.shadow.require(queued.id);
  expect({ status: run.status, error: run.error }).toEqual({ status: 'done', error: null });
  return run;
}

const side = (run: ShadowRun) => run.summary!.side_by_side as SideBySideReport;

/** MAE and largest absolute difference of two output lists, over the first `n` rows. */
function apart(a: readonly number[], b: (i: number) => number, n = N) {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - b(i));
    sum += d;
    max = Math.max(max, d);
  }
  return { mae: sum / n, max };
}

// Same inputs, same batches as python: float32 outputs around 4e5 are 1/32 apart at most.
const CLOSE = 0.05;

describe('compression example: quantized and distilled candidates beside production', () => {
  it('int8: a quarter of the size, its differences from recomputed and logged production exact', async () => {
    const maeDelta = apart(out.int8, label, LABELLED).mae - apart(out.mlp, label, LABELLED).mae;
    const run = await replay('prices', {
      candidate_version: 'v1-int8',
      // A bound just under the change: the verdict holds, whatever the speed.
      criteria: { max_mae_delta: maeDelta - 1, max_batch_latency_p95_ms: null },
    });
    const s = side(run);
    const sizes = [
      readFileSync(file('house_price_mlp_int8.onnx')).length,
      readFileSync(file('house_price_mlp.onnx')).length,
    ];
    expect(s.candidate).toMatchObject({
      version: 'v1-int8',
      size_bytes: sizes[0],
      batches: N / BATCH,
      rows: N,
    });
    expect(s.production).toMatchObject({
      version: 'v1',
      size_bytes: sizes[1],
      batches: N / BATCH,
      rows: N,
    });
    expect(s.size_ratio).toBe(sizes[0]! / sizes[1]!);
    expect(s.size_ratio).toBeLessThan(0.5);
    expect(s.speedup).toBe(s.production.per_row_p50_us! / s.candidate.per_row_p50_us!);

    const vsRecomputed = apart(out.int8, (i) => out.mlp[i]!);
    const vsLogged = apart(out.int8, logged);
    const recomputedVsLogged = apart(out.mlp, logged);
    const a = s.agreement;
    expect(a.candidate_vs_recomputed).toMatchObject({ compared: N });
    expect(a.candidate_vs_recomputed).toMatchObject({
      mae: expect.closeTo(vsRecomputed.mae, 2),
      max_abs_diff: expect.closeTo(vsRecomputed.max, 1),
    });
    expect(a.candidate_vs_logged).toMatchObject({
      compared: N,
      mae: expect.closeTo(vsLogged.mae, 2),
      max_abs_diff: expect.closeTo(vsLogged.max, 1),
    });
    // Production recomputed in float32 against its float64 log: the spurious differences only.
    expect(a.recomputed_vs_logged).toMatchObject({ compared: N });
    const r = a.recomputed_vs_logged as { mae: number; max_abs_diff: number };
    expect(Math.abs(r.mae - recomputedVsLogged.mae)).toBeLessThan(CLOSE);
    expect(r.max_abs_diff).toBeLessThan(0.02 + CLOSE);
    // The quantized model is not production: its differences are far above float32 rounding.
    expect(vsRecomputed.mae).toBeGreaterThan(100 * r.mae);

    expect(s.labelled).toMatchObject({ events: LABELLED, mae_delta: expect.closeTo(maeDelta, 1) });
    expect(run.verdict!.checks.at(-1)).toMatchObject({ name: 'mae_delta', pass: false });
    expect(run.verdict!.decision).toBe('hold');
  });

  it('distilled: far smaller and faster; the verdict asks for a speed-up with a bounded MAE delta', async () => {
    const maeDelta =
      apart(out.distilled, label, LABELLED).mae - apart(out.mlp, label, LABELLED).mae;
    const run = await replay('prices', {
      candidate_version: 'v1-distilled',
      criteria: {
        // 6-16-1 against 6-256-256-1: about 15× fewer operations a row (a tenth would do).
        min_speedup: 1,
        max_mae_delta: maeDelta + 1,
        max_metric_degradation: 1,
        max_batch_latency_p95_ms: null,
      },
    });
    const s = side(run);
    expect(s.size_ratio).toBeLessThan(0.05);
    expect(s.speedup).toBeGreaterThan(1);
    expect((s.agreement.candidate_vs_recomputed as { mae: number }).mae).toBeCloseTo(
      apart(out.distilled, (i) => out.mlp[i]!).mae,
      2,
    );
    expect(s.labelled.mae_delta).toBeCloseTo(maeDelta, 1);
    expect(run.verdict!.checks.slice(-2)).toMatchObject([
      { name: 'speedup', value: s.speedup, threshold: 1, pass: true },
      { name: 'mae_delta', pass: true },
    ]);
    expect(run.verdict!.decision).toBe('promote');
  });

  it('classification: label agreement with recomputed and logged production', async () => {
    const run = await replay('above', { candidate_version: 'v1-again' });
    const s = side(run);
    const wrong = Math.ceil(N / 10);
    expect(s.task).toBe('classification');
    expect(s.agreement).toEqual({
      candidate_vs_recomputed: { compared: N, agreement: 1 },
      candidate_vs_logged: { compared: N, agreement: (N - wrong) / N },
      recomputed_vs_logged: { compared: N, agreement: (N - wrong) / N },
    });
    expect(s.labelled).toMatchObject({
      events: 100,
      candidate_accuracy: 0.75,
      production_accuracy: 0.75,
      accuracy_delta: 0,
      mae_delta: null,
    });
    await expect(
      models.shadow.create(
        'above',
        shadowRunRequest.parse({
          candidate_version: 'v1-again',
          from: T0,
          to: T0 + N * 1000,
          criteria: { max_mae_delta: 0 },
        }),
        actor,
      ),
    ).rejects.toMatchObject({ status: 400, field: 'criteria.max_mae_delta' });
  });

  it('without a registered production model: no side by side, and a speed-up cannot be asked for', async () => {
    const run = await replay('unproduced', { candidate_version: 'v2' });
    expect(run.summary!.side_by_side).toEqual({ skipped: 'unproduced has no production version' });
    await expect(
      models.shadow.create(
        'unproduced',
        shadowRunRequest.parse({
          candidate_version: 'v2',
          from: T0,
          to: T0 + N * 1000,
          criteria: { min_speedup: 2 },
        }),
        actor,
      ),
    ).rejects.toMatchObject({ status: 400, field: 'criteria.min_speedup' });
  });
});
