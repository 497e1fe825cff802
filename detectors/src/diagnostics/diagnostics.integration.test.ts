import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSettings } from '../settings/model-settings';
import { cachedDiagnose } from './cache';
import { rocAucBound, THIN_BUCKETS, type Curves } from './curves';
import { diagnose, type DiagnoseOptions, type Diagnostics } from './diagnose';

// Diagnostics against scikit-learn and numpy on rows of NannyML's synthetic car-loan,
// multiclass and car-price datasets plus one continuous-score set, on real chDB. The numbers
// come from detectors/fixtures/diagnostics_fixtures.py (scikit-learn 1.9.1, numpy 2.4.6).
interface Segment {
  key: string;
  value: string;
  n: number;
  metric: number;
  stderr: number;
}
interface Case {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  rows: {
    score?: number[];
    prediction?: number[];
    predicted?: string[];
    /** Class probabilities in the sorted class order (float32 values). */
    proba?: number[][];
    label: (number | string)[];
    tags: Record<string, string[]>;
  };
  expected: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const fixtures = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/diagnostics.json'), 'utf8'),
) as { cases: Case[] };
const fixture = (name: string) => fixtures.cases.find((c) => c.name === name)!;

const dir = mkdtempSync(join(tmpdir(), 'osprey-diagnostics-'));
let store: Store;
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };
const EXACT = 1e-9;

/**
 * Logs a case's rows as predictions of model `name` in the window, each labelled (by event id,
 * or by request id when `byRequest`), plus unlabelled predictions that must not count.
 */
async function log(c: Case, byRequest: boolean): Promise<void> {
  const n = c.rows.label.length;
  const predictions = Array.from({ length: n + 50 }, (_, i) => ({
    event_id: randomUUID(),
    request_id: byRequest ? `req-${c.name}-${i}` : '',
    timestamp: from + Math.floor((i * HOUR) / (n + 60)),
    model: c.name,
    version: 'v1',
    prediction_num: c.rows.score?.[i % n] ?? c.rows.prediction?.[i % n] ?? null,
    prediction_label: c.rows.predicted?.[i % n] ?? null,
    prediction_vec: c.rows.proba?.[i % n] ?? [],
    tags: Object.fromEntries(Object.entries(c.rows.tags).map(([k, v]) => [k, v[i % n]!])),
  }));
  await store.insert(Tables.predictions, predictions);
  await store.insert(
    Tables.labels,
    predictions.slice(0, n).map((p, i) => {
      const label = c.rows.label[i]!;
      return {
        model: c.name,
        event_id: byRequest ? null : p.event_id,
        request_id: p.request_id,
        label_num: typeof label === 'number' ? label : null,
        label_str: typeof label === 'string' ? label : null,
        timestamp: p.timestamp + 60_000,
      };
    }),
  );
}

const run = (name: string, opts?: DiagnoseOptions) =>
  diagnose(store, modelSettings.parse({}), { model: name, window }, opts);

function expectClose(actual: number[], expected: number[], tolerance = EXACT) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tolerance));
}

/** Every point of sklearn's roc_curve, precision_recall_curve and calibration_curve, and the areas. */
function expectCurves(
  curves: Curves,
  calibration: NonNullable<Diagnostics['calibration']>,
  e: Case['expected'],
) {
  expectClose(curves.roc.fpr, e.roc.fpr);
  expectClose(curves.roc.tpr, e.roc.tpr);
  expect(curves.roc.thresholds[0]).toBeNull();
  expectClose(curves.roc.thresholds.slice(1) as number[], e.roc.thresholds.slice(1));
  expectClose(curves.pr.precision, e.pr.precision);
  expectClose(curves.pr.recall, e.pr.recall);
  expectClose(curves.pr.thresholds, e.pr.thresholds);
  expect(Math.abs(curves.roc_auc! - e.roc_auc)).toBeLessThanOrEqual(EXACT);
  expect(Math.abs(curves.average_precision! - e.average_precision)).toBeLessThanOrEqual(EXACT);
  for (const strategy of ['uniform', 'quantile'] as const) {
    const bins = calibration[strategy];
    expectClose(
      bins.map((b) => b.fraction_positive),
      e.calibration[strategy].prob_true,
    );
    expectClose(
      bins.map((b) => b.mean_predicted),
      e.calibration[strategy].prob_pred,
    );
  }
}

function expectSegments(actual: Segment[], expected: Segment[], relative = false) {
  for (const e of expected) {
    const a = actual.find((r) => r.key === e.key && r.value === e.value);
    expect(a, `${e.key}=${e.value}`).toBeDefined();
    expect(a!.n).toBe(e.n);
    const scale = relative ? Math.abs(e.metric) : 1;
    expect(Math.abs(a!.metric - e.metric)).toBeLessThanOrEqual(EXACT * scale);
    expect(Math.abs(a!.stderr - e.stderr)).toBeLessThanOrEqual(EXACT * (relative ? e.stderr : 1));
  }
  expect(actual).toHaveLength(expected.length);
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await log(fixture('car_loan'), false);
  await log(fixture('continuous'), false);
  await log(fixture('multiclass'), true);
  await log(fixture('car_price'), false);
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['car_loan', 'continuous'])('binary classifier: %s', (name) => {
  const c = fixture(name);
  const e = c.expected;

  it('matches sklearn: confusion matrix, every curve point, AUC, AP, calibration, segments', async () => {
    const d = await run(name, { curveBuckets: null });
    expect(d.task).toBe('binary');
    expect(d.labelled).toBe(c.rows.label.length);
    expect(d.confusion_matrix).toEqual({
      labels: e.labels,
      matrix: e.confusion_matrix,
      threshold: 0.5,
    });
    expectCurves(d.curves!, d.calibration!, e);
    expectSegments(d.segments!.rows, e.segments);
    expect(Math.abs(d.segments!.overall!.metric - e.overall.metric)).toBeLessThanOrEqual(EXACT);
  });

  it(`thins the curves to at most ${2 * THIN_BUCKETS + 1} points, the AUC within ${rocAucBound(THIN_BUCKETS)}`, async () => {
    const d = await run(name);
    const curves = d.curves!;
    expect(curves.thinned.points).toBeLessThanOrEqual(2 * THIN_BUCKETS + 1);
    expect(curves.roc.fpr).toHaveLength(curves.thinned.points + 1);
    expect(curves.thresholds).toBe(e.roc.fpr.length - 1);
    expect(Math.abs(curves.roc_auc! - e.roc_auc)).toBeLessThanOrEqual(EXACT);
    expect(Math.abs(curves.thinned.roc_auc! - e.roc_auc)).toBeLessThanOrEqual(
      rocAucBound(THIN_BUCKETS),
    );
    expect(Math.abs(curves.thinned.average_precision! - e.average_precision)).toBeLessThanOrEqual(
      0.002,
    );
  });
});

it('thinning has work to do on continuous scores and keeps both ends', async () => {
  const d = await run('continuous', { curveBuckets: 50 });
  const curves = d.curves!;
  expect(curves.thresholds).toBeGreaterThan(4000);
  expect(curves.thinned.points).toBeLessThanOrEqual(101);
  expect(curves.roc.fpr.at(-1)).toBe(1);
  expect(curves.roc.tpr.at(-1)).toBe(1);
  expect(Math.abs(curves.thinned.roc_auc! - curves.roc_auc!)).toBeLessThanOrEqual(rocAucBound(50));
  expect(Math.abs(curves.thinned.roc_auc! - curves.roc_auc!)).toBeGreaterThan(0);
});

it('lists segments worst first, those under the minimum rows last', async () => {
  const d = await run('continuous', { minSegmentRows: 60 });
  const rows = d.segments!.rows;
  const small = rows.filter((r) => r.small);
  expect(small.map((r) => r.value)).toEqual(['d']);
  expect(rows.at(-1)!.value).toBe('d');
  const big = rows.filter((r) => !r.small).map((r) => r.worse_by);
  expect(big).toEqual([...big].sort((a, b) => b - a));
  expect(d.segments!.keys).toEqual([{ key: 'group', values: 4, configured: false }]);
});

it('multiclass (labels joined by request id): confusion matrix and segments as sklearn', async () => {
  const c = fixture('multiclass');
  const d = await run('multiclass');
  expect(d.task).toBe('multiclass');
  expect(d.labelled).toBe(c.rows.label.length);
  expect(d.confusion_matrix).toEqual({
    labels: c.expected.labels,
    matrix: c.expected.confusion_matrix,
    threshold: null,
  });
  expect(d.curves).toBeNull();
  expectSegments(d.segments!.rows, c.expected.segments);
});

it('multiclass: one-vs-rest ROC, PR and calibration curves per class from prediction_vec, as sklearn', async () => {
  const e = fixture('multiclass').expected;
  const d = await run('multiclass', { curveBuckets: null });
  const curves = d.class_curves!;
  expect(curves.reason).toBeUndefined();
  expect(curves.rows).toBe(fixture('multiclass').rows.label.length);
  expect(curves.classes.map((c) => c.label)).toEqual(e.labels);
  curves.classes.forEach((c, i) => expectCurves(c.curves, c.calibration!, e.class_curves[i]));
  expect(Math.abs(curves.roc_auc_macro! - e.roc_auc_macro)).toBeLessThanOrEqual(EXACT);
  expect(Math.abs(curves.average_precision_macro! - e.average_precision_macro)).toBeLessThanOrEqual(
    EXACT,
  );
});

it('multiclass: says why there are no curves when the vectors do not have one entry per class', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({
    event_id: randomUUID(),
    timestamp: from + i * 1000,
    model: 'short-vectors',
    version: 'v1',
    prediction_label: ['a', 'b', 'c'][i % 3]!,
    prediction_vec: [0.5, 0.5],
  }));
  await store.insert(Tables.predictions, rows);
  await store.insert(
    Tables.labels,
    rows.map((r, i) => ({
      model: r.model,
      event_id: r.event_id,
      label_str: ['a', 'b', 'c'][(i + 1) % 3]!,
      timestamp: r.timestamp,
    })),
  );
  const d = await run('short-vectors');
  expect(d.task).toBe('multiclass');
  expect(d.class_curves!.classes).toEqual([]);
  expect(d.class_curves!.reason).toMatch(/2 entries but the labels and predictions name 3 classes/);
});

it('regression: residual histogram, predicted-vs-actual grid and MAE per segment as numpy', async () => {
  const c = fixture('car_price');
  const d = await run('car_price');
  expect(d.task).toBe('regression');
  expect(d.residuals!.counts).toEqual(c.expected.residuals.counts);
  const edges: number[] = c.expected.residuals.edges;
  expectClose(d.residuals!.edges, edges, EXACT * Math.max(...edges.map(Math.abs)));
  expect(d.predicted_vs_actual!.range).toEqual(c.expected.predicted_vs_actual.range);
  expect(d.predicted_vs_actual!.counts).toEqual(c.expected.predicted_vs_actual.counts);
  expectSegments(d.segments!.rows, c.expected.segments, true);
  expect(d.segments!.metric).toBe('mae');
});

it('answers an empty diagnosis for a window without labels', async () => {
  const d = await diagnose(store, modelSettings.parse({}), {
    model: 'car_loan',
    window: { from: window.to, to: window.to + HOUR },
  });
  expect(d.labelled).toBe(0);
  expect(d.curves).toBeNull();
  expect(d.segments).toBeNull();
});

it('answers a repeated diagnosis from the cache until a label or prediction arrives', async () => {
  const model = 'cached';
  const labelled = async (n: number, offset: number) => {
    const rows = Array.from({ length: n }, (_, i) => ({
      event_id: randomUUID(),
      timestamp: from + (offset + i) * 1000,
      model,
      version: 'v1',
      prediction_num: (offset + i) % 2 ? 0.9 : 0.2,
    }));
    await store.insert(Tables.predictions, rows);
    await store.insert(
      Tables.labels,
      rows.map((r, i) => ({
        model,
        event_id: r.event_id,
        label_num: i % 2,
        timestamp: r.timestamp,
      })),
    );
  };
  await labelled(4, 0);
  const settings = modelSettings.parse({});
  const first = await cachedDiagnose(store, settings, { model, window });
  expect(first.labelled).toBe(4);
  expect(await cachedDiagnose(store, settings, { model, window })).toBe(first);
  await labelled(1, 4);
  const after = await cachedDiagnose(store, settings, { model, window });
  expect(after).not.toBe(first);
  expect(after.labelled).toBe(5);
  const other = await cachedDiagnose(store, settings, { model, window }, { minSegmentRows: 2 });
  expect(other).not.toBe(after);
});
