import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureHistograms } from '../drift/histograms';
import { detectWindow } from '../run/detect';
import { driftHeatmap } from './drift-heatmap';
import { featureDriftHistory, performanceHistory } from './history';

// The dashboard's reads of stored detector runs, on real chDB: two hourly windows, the second
// with `size` shifted far from the reference, then one window recomputed (its newer run wins).
const dir = mkdtempSync(join(tmpdir(), 'osprey-history-'));
let store: Store;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const w1 = { from: T0, to: T0 + HOUR };
const w2 = { from: T0 + HOUR, to: T0 + 2 * HOUR };

function row(t: number, size: number, colour: string, prediction: number) {
  return {
    event_id: randomUUID(),
    timestamp: t,
    model: 'm',
    version: 'v1',
    num_features: { size },
    cat_features: { colour },
    bool_features: {},
    null_features: [],
    prediction_num: prediction,
    prediction_label: null,
    prediction_vec: [],
    latency_ms: 5,
    error: '',
    tags: {},
    request_id: '',
  };
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  const colours = ['red', 'green', 'blue'];
  await store.insert(
    'reference_rows',
    Array.from({ length: 2_000 }, (_, i) => {
      const {
        event_id: _id,
        latency_ms: _l,
        error: _e,
        request_id: _r,
        ...r
      } = row(T0 - HOUR, i % 100, colours[i % 3]!, i % 10);
      return { ...r, reference_id: 'ref' };
    }),
  );
  const first = Array.from({ length: 600 }, (_, i) =>
    row(w1.from + i * 1000, (i * 7) % 100, colours[i % 3]!, i % 10),
  );
  const second = Array.from({ length: 600 }, (_, i) =>
    row(w2.from + i * 1000, 500 + (i % 100), i % 2 ? 'red' : 'purple', i % 10),
  );
  await store.insert('predictions', [...first, ...second]);
  await store.insert(
    'labels',
    first.slice(0, 100).map((r, i) => ({
      model: 'm',
      event_id: r.event_id,
      request_id: '',
      label_num: (i % 10) + 1,
      label_str: null,
      timestamp: r.timestamp + 1000,
    })),
  );
  await detectWindow(store, { model: 'm', window: w1 });
  await detectWindow(store, { model: 'm', window: w2 });
  await detectWindow(store, { model: 'm', window: w2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stored drift and performance history', () => {
  it('lays drift verdicts out as features × windows, the latest run of each window', async () => {
    const map = await driftHeatmap(store, { model: 'm', from: T0 - HOUR, to: T0 + 3 * HOUR });
    expect(map.windows).toEqual([
      {
        from: new Date(w1.from).toISOString(),
        to: new Date(w1.to).toISOString(),
        reference: 'dataset ref',
      },
      {
        from: new Date(w2.from).toISOString(),
        to: new Date(w2.to).toISOString(),
        reference: 'dataset ref',
      },
    ]);
    // Both features drift in the last window; size moved further (Jensen–Shannon distance).
    expect(map.rows.map((r) => r.feature)).toEqual(['size', 'colour', 'prediction']);
    expect(map.features).toEqual({ total: 2, matching: 2 });
    const size = map.rows.find((r) => r.feature === 'size')!;
    expect(size.cells.map((c) => c.status)).toEqual(['ok', 'drift']);
    expect(size.cells[1]).toMatchObject({ statistic: 'wasserstein_norm', current_size: 600 });
    expect(map.rows.find((r) => r.feature === 'colour')!.cells[1]!.status).toBe('drift');
    expect(map.dataset.map((c) => c.status)).toEqual(['ok', 'drift']);

    const history = await featureDriftHistory(store, {
      model: 'm',
      from: w2.from,
      to: w2.to,
      feature: 'size',
    });
    // One row per statistic of the second window, once: the recompute replaced the first run.
    expect(history.map((s) => s.statistic).sort()).toEqual([
      'hellinger',
      'jensen_shannon',
      'ks_p_value',
      'ks_statistic',
      'psi',
      'wasserstein_norm',
    ]);
    expect(history.find((s) => s.statistic === 'ks_p_value')!.p_value).toBeLessThan(1e-6);
  });

  it('bounds the heatmap to the most drifted features, and finds any other by name', async () => {
    const scope = { model: 'm', from: T0 - HOUR, to: T0 + 3 * HOUR };
    const top = await driftHeatmap(store, scope, { limit: 1 });
    expect(top.rows.map((r) => r.feature)).toEqual(['size', 'prediction']);
    expect(top.features).toEqual({ total: 2, matching: 2 });
    expect(top.windows).toHaveLength(2);
    const found = await driftHeatmap(store, scope, { limit: 1, search: 'COL' });
    expect(found.rows.map((r) => r.feature)).toEqual(['colour', 'prediction']);
    expect(found.rows[0]!.cells.map((c) => c.status)).toEqual(['ok', 'drift']);
    expect(found.features).toEqual({ total: 2, matching: 1 });
    const none = await driftHeatmap(store, scope, { search: 'nothing' });
    expect(none.rows.map((r) => r.feature)).toEqual(['prediction']);
    expect(none.features).toEqual({ total: 2, matching: 0 });
    expect(none.dataset).toHaveLength(2);
  });

  it('answers performance per window from the labelled predictions', async () => {
    const points = await performanceHistory(store, { model: 'm', from: T0, to: T0 + 2 * HOUR });
    // The second window has no labels, so no metrics were stored for it.
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({
      window_end: new Date(w1.to).toISOString(),
      task: 'regression',
      labelled: 100,
    });
    expect(points[0]!.metrics.mae).toBeCloseTo(1, 9);
  });

  it('draws reference and window histograms of a numeric and a categorical feature', async () => {
    const size = (await featureHistograms(store, { model: 'm', window: w2, feature: 'size' }))!;
    expect(size).toMatchObject({ kind: 'numeric', current_size: 600 });
    expect(size.reference.size).toBe(2_000);
    const sum = (k: 'reference' | 'current') => size.bins.reduce((a, b) => a + b[k], 0);
    expect([sum('reference'), sum('current')]).toEqual([2_000, 600]);
    // The reference lies in 0..99 and the window in 500..599: no bin holds both.
    expect(size.bins.every((b) => b.reference === 0 || b.current === 0)).toBe(true);
    expect(size.bins[0]!.from).toBeLessThanOrEqual(1);
    expect(size.bins.at(-1)!.to).toBeGreaterThanOrEqual(590);
    // `size` is whole numbers: whole-number bins, labelled by the values they hold.
    expect(size.bins.every((b) => /^\d+–\d+$/.test(b.label))).toBe(true);
    expect(size.bins.every((b) => Number.isInteger(b.from) && Number.isInteger(b.to))).toBe(true);

    const colour = (await featureHistograms(store, { model: 'm', window: w2, feature: 'colour' }))!;
    expect(colour.kind).toBe('categorical');
    const bins = Object.fromEntries(colour.bins.map((b) => [b.label, [b.reference, b.current]]));
    expect(bins).toEqual({ red: [667, 300], green: [667, 0], blue: [666, 0], purple: [0, 300] });
    expect(colour.bins.find((b) => b.label === 'purple')!.current_share).toBe(0.5);

    expect(await featureHistograms(store, { model: 'm', window: w2, feature: 'nope' })).toBe(
      undefined,
    );
  });
});
