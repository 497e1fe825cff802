import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@osprey/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShadowStore } from '../testing/shadow-store';
import { shadowRunRequest, type ShadowRun } from '../api';
import type { InferencePool } from '../inference/pool';
import type { Models } from '../models';
import { FIXTURE_MODELS, HOUSE_FEATURES as FEATURES, pythonOrt } from '../testing/python';
import { shadowMetricSource } from './alert-metric';
import { ShadowRunner } from './runner';

const dir = mkdtempSync(join(tmpdir(), 'osprey-replay-'));
const model = (f: string) => join(FIXTURE_MODELS, f);
const N = 600;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const actor = 'test';
let store: Store;
let models: Models;
let pool: InferencePool;
let runner: ShadowRunner;

// Houses as the demo logs them (has_garden a boolean); x is the same row as the models' input.
const houses = Array.from({ length: N }, (_, i) => {
  const rooms = 1 + (i % 7);
  const f = {
    rooms,
    bedrooms: Math.max(1, rooms - 1),
    area_sqm: 30 + ((i * 37) % 160),
    age_years: (i * 13) % 90,
    distance_to_center_km: 0.5 + (i % 20),
    has_garden: i % 3 === 0,
  };
  return {
    f,
    x: [
      f.rooms,
      f.bedrooms,
      f.area_sqm,
      f.age_years,
      f.distance_to_center_km,
      f.has_garden ? 1 : 0,
    ],
  };
});
const flat = houses.flatMap((h) => h.x);
let linear: number[];
let gbr: number[];
let labels: number[];

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
  [linear, gbr, labels] = await Promise.all([
    pythonOrt(model('house_price_linear.onnx'), { features: { dims: [N, 6], data: flat } }).then(
      (o) => o.price!,
    ),
    pythonOrt(model('house_price_gbr.onnx'), { features: { dims: [N, 6], data: flat } }).then(
      (o) => o.price!,
    ),
    pythonOrt(model('house_price_above_400k.onnx'), {
      features: { dims: [N, 6], data: flat },
    }).then((o) => o.label!),
  ]);
  // v1 (the linear model) was in production: its answers are the logged predictions.
  const rows = houses.map((h, i) => ({
    event_id: randomUUID(),
    timestamp: T0 + i * 1000,
    model: 'houses',
    version: 'v1',
    num_features: Object.fromEntries(Object.entries(h.f).filter(([, v]) => typeof v === 'number')),
    bool_features: { has_garden: h.f.has_garden },
    cat_features: { neighbourhood: 'Riverside' },
    null_features: [],
    prediction_num: linear[i],
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
    rows.map((r, i) => ({
      ...r,
      event_id: randomUUID(),
      model: 'above',
      prediction_num: null,
      prediction_label: String(labels[i]),
    })),
  );
  // Sale prices for the first 200 events: the truth the metric deltas use.
  await store.insert(
    'labels',
    rows.slice(0, 200).map((r, i) => ({
      model: 'houses',
      event_id: r.event_id,
      request_id: '',
      label_num: linear[i]! + (i % 2 ? 20_000 : -20_000),
      label_str: null,
      timestamp: r.timestamp + 60_000,
    })),
  );
  for (const [m, v, f] of [
    ['houses', 'v1', 'house_price_linear.onnx'],
    ['houses', 'v2', 'house_price_gbr.onnx'],
    ['above', 'v1', 'house_price_above_400k.onnx'],
  ] as const)
    await models.registry.push({
      model: m,
      version: v,
      body: readFileSync(model(f)),
      features: FEATURES,
      actor,
    });
});
afterAll(async () => {
  await runner?.stop();
  await pool?.close();
  await store?.close();
});

const request = (body: Record<string, unknown>) =>
  shadowRunRequest.parse({ from: T0, to: T0 + N * 1000, ...body });

async function replay(m: string, body: Record<string, unknown>): Promise<ShadowRun> {
  const queued = await models.shadow.create(m, request(body), actor);
  expect(queued.status).toBe('queued');
  expect(queued.progress.rows_total).toBe(Math.min(N, (body.limit as number) ?? N));
  const { getShadowRun } = await import('@osprey/db');
  await runner.execute((await getShadowRun(store, queued.id))!);
  return models.shadow.require(queued.id);
}

describe('replay', () => {
  it('candidate = production: every event agrees exactly, verdict promote', async () => {
    const run = await replay('houses', { candidate_version: 'v1', batch_size: 128 });
    expect({ status: run.status, error: run.error }).toEqual({ status: 'done', error: null });
    expect(run.provider).toBe('cpu');
    expect(run.progress).toMatchObject({ rows_done: N, rows_total: N, eta_seconds: null });
    expect(run.summary).toMatchObject({
      task: 'regression',
      rows: N,
      compared: N,
      abs_diff_mean: 0,
      abs_diff_max: 0,
      labelled: 200,
    });
    expect(run.summary!.production_mae).toBe(run.summary!.candidate_mae);
    expect(run.verdict?.decision).toBe('promote');
  });

  it('a different candidate: differences match python onnxruntime on the same inputs', async () => {
    const run = await replay('houses', {
      candidate_version: 'v2',
      batch_size: 256,
      criteria: { max_abs_diff_p95: 1 },
    });
    expect({ status: run.status, error: run.error }).toEqual({ status: 'done', error: null });
    const diffs = linear.map((l, i) => Math.abs(gbr[i]! - l));
    const mean = diffs.reduce((a, b) => a + b, 0) / N;
    const s = summary(run);
    expect(s.abs_diff_mean).toBeCloseTo(mean, 0);
    expect(s.abs_diff_max).toBeCloseTo(Math.max(...diffs), 0);
    const stored = await store.query<{ e: string; d: number }>(
      `SELECT toString(event_id) AS e, abs_diff AS d FROM shadow_results WHERE run_id = toUUID({id:String}) ORDER BY timestamp`,
      { id: run.id },
    );
    expect(stored).toHaveLength(N);
    stored.forEach((r, i) =>
      expect(Math.abs(r.d - diffs[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(gbr[i]!))),
    );
    expect(s.ks_statistic).toBeGreaterThan(0);
    expect(run.verdict?.decision).toBe('hold');
    // The alert metric over the same events: the share differing by more than 1% of production.
    const metric = await shadowMetricSource(store)({
      metric: 'shadow.disagreement',
      detection: {
        model: 'houses',
        window: { from: new Date(T0).toISOString(), to: new Date(T0 + N * 1000).toISOString() },
      },
    });
    const differing = diffs.filter((d, i) => d > 0.01 * Math.abs(linear[i]!)).length;
    expect(metric).toEqual([{ feature: null, value: expect.closeTo(differing / N, 6) }]);
    expect(run.verdict?.checks.find((c) => c.name === 'abs_diff_p95')).toMatchObject({
      pass: false,
      threshold: 1,
    });
    await expect(
      models.shadow.promote('houses', run.id, { force: false, actor }),
    ).rejects.toMatchObject({ status: 409 });
    const forced = await models.shadow.promote('houses', run.id, {
      force: true,
      actor,
      reason: 'ship it for the demo',
    });
    expect(forced).toMatchObject({
      version: 'v2',
      shadow_run_id: run.id,
      reason: 'ship it for the demo (forced past a hold verdict)',
    });
  });

  it('classification: agreement with the logged labels', async () => {
    const run = await replay('above', { candidate_version: 'v1', limit: 250 });
    expect(summary(run)).toMatchObject({
      task: 'classification',
      output: 'label',
      rows: 250,
      agreement: 1,
    });
    expect(run.verdict?.decision).toBe('promote');
  });

  it('refuses, before running, a candidate whose input spec reads a feature never logged', async () => {
    await models.registry.push({
      model: 'houses',
      version: 'v3',
      body: readFileSync(model('house_price_linear.onnx')),
      features: ['rooms', 'bedrooms', 'area_sqm', 'age_years', 'floor_area', 'has_garden'],
      actor,
    });
    await expect(
      models.shadow.create('houses', request({ candidate_version: 'v3' }), actor),
    ).rejects.toThrow(
      /candidate_version: the input spec of houses v3 reads feature "floor_area", which was never logged between .* \(logged: age_years, area_sqm, bedrooms, distance_to_center_km, has_garden, neighbourhood, rooms\)/,
    );
    await expect(
      models.shadow.create('houses', request({ candidate_version: 'v9' }), actor),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('cancels a running replay after its current batch', async () => {
    const queued = await models.shadow.create(
      'houses',
      request({ candidate_version: 'v2', batch_size: 5 }),
      actor,
    );
    const { getShadowRun } = await import('@osprey/db');
    const running = runner.execute((await getShadowRun(store, queued.id))!);
    for (;;) {
      const now = await models.shadow.require(queued.id);
      if (now.status === 'running' && now.progress.rows_done > 0) break;
      expect(now.status, now.error ?? '').toMatch(/^(queued|running)$/);
      await new Promise((r) => setTimeout(r, 20));
    }
    await models.shadow.cancel('houses', queued.id, actor);
    await running;
    const run = await models.shadow.require(queued.id);
    expect(run.status).toBe('cancelled');
    expect(run.progress.rows_done).toBeLessThan(N);
    expect(run.progress.rows_per_second).toBeGreaterThan(0);
    await expect(models.shadow.cancel('houses', queued.id, actor)).rejects.toMatchObject({
      status: 409,
    });
  });
});

function summary(run: ShadowRun) {
  return run.summary as Record<string, number> & Record<string, unknown>;
}
