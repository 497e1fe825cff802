import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestRun } from '../results/runs';
import { detectWindow } from '../run/detect';
import { modelSettings } from '../settings/model-settings';
import { detectCbpe, type Estimate } from './cbpe';
import { calibratedSql } from './estimate-sql';
import { calibrate } from './isotonic';

// CBPE against NannyML 0.13.1 on its synthetic car-loan (binary) and multiclass data sets, on
// real chDB. detectors/fixtures/cbpe_fixtures.py wrote the rows (cbpe-*.csv.gz) and NannyML's
// per-chunk results (cbpe.json); chunk k of the analysis period is window k here, the reference
// one labelled dataset whose 10 equal parts are NannyML's reference chunks.
// Tolerances: the estimates are the same sums (1e-9); ROC AUC differs by NannyML rounding its
// cumulative sums to 5 decimals (binary, < 1e-8) and, multiclass (< 2e-6, 9.2e-7 seen), where rows
// tie on a class's raw score with different renormalised probabilities: one step of the curve
// here (the mean over their orders), numpy's sort order there; ROC AUC's sampling error by
// how tied reference scores are ranked (sampling-error.ts, < 0.5%); the other sampling errors
// and every threshold are closed forms of the same counts (1e-9).
const FIXTURES = join(import.meta.dirname, '../../fixtures');
const peer = JSON.parse(readFileSync(join(FIXTURES, 'cbpe.json'), 'utf8')) as Record<
  'car_loan' | 'multiclass',
  {
    chunk_size: number;
    chunks: PeerChunk[];
    needs_calibration?: boolean;
    calibrated?: Record<string, boolean>;
  }
>;
interface PeerChunk {
  period: 'reference' | 'analysis';
  metrics: Record<string, Record<keyof Estimate | 'realized', number | boolean | null>>;
}

function csv(name: string): Record<string, string>[] {
  const [head, ...lines] = gunzipSync(readFileSync(join(FIXTURES, name)))
    .toString('utf8')
    .trim()
    .split('\n');
  const columns = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

const dir = mkdtempSync(join(tmpdir(), 'osprey-cbpe-'));
let store: Store;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const settings = modelSettings.parse({});
const CLASSES = ['highstreet_card', 'prepaid_card', 'upmarket_card'];

/** Reference row i at T0 + i ms, analysis row i at T1 + i ms: window k holds chunk k. */
const T1 = T0 + 2 * HOUR;
const windowOf = (k: number, size: number) => ({ from: T1 + k * size, to: T1 + (k + 1) * size });

async function load(
  model: string,
  rows: Record<string, string>[],
  prediction: (r: Record<string, string>) => object,
  label: (r: Record<string, string>) => object,
) {
  const reference = rows.filter((r) => r.period === 'r');
  const analysis = rows.filter((r) => r.period === 'a');
  await store.insert(
    Tables.referenceRows,
    reference.map((r, i) => ({
      model,
      version: 'v1',
      reference_id: 'validation',
      timestamp: T0 + i,
      ...prediction(r),
      ...label(r),
    })),
  );
  await store.insert(
    Tables.predictions,
    analysis.map((r, i) => ({
      event_id: crypto.randomUUID(),
      timestamp: T1 + i,
      model,
      version: 'v1',
      ...prediction(r),
      latency_ms: 1,
    })),
  );
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await load(
    'car-loan',
    csv('cbpe-car-loan.csv.gz'),
    (r) => ({ prediction_num: Number(r.y_pred_proba) }),
    (r) => ({ label_num: Number(r.repaid) }),
  );
  await load(
    'cards',
    csv('cbpe-multiclass.csv.gz'),
    (r) => ({ prediction_vec: [Number(r.p0), Number(r.p1), Number(r.p2)] }),
    (r) => ({ label_str: CLASSES[Number(r.y_true)] }),
  );
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Osprey's multiclass metric names are the performance detector's (macro averages). */
const MULTICLASS_NAMES: Record<string, string> = {
  roc_auc: 'roc_auc',
  f1: 'f1_macro',
  precision: 'precision_macro',
  recall: 'recall_macro',
  accuracy: 'accuracy',
};

async function compare(
  model: string,
  fixture: (typeof peer)['car_loan'],
  names: Record<string, string>,
  calibrated: boolean[],
  tolerance: { value: number; auc: number; aucSe: number },
) {
  const analysis = fixture.chunks.filter((c) => c.period === 'analysis');
  expect(analysis).toHaveLength(10);
  let alerts = 0;
  for (const [k, chunk] of analysis.entries()) {
    const { document } = await detectCbpe(store, settings, {
      model,
      window: windowOf(k, fixture.chunk_size),
    });
    expect(document.rows).toBe(fixture.chunk_size);
    expect(document.calibrated).toEqual(calibrated);
    for (const [peerName, expected] of Object.entries(chunk.metrics)) {
      const got = document.metrics[names[peerName]!]!;
      const auc = peerName === 'roc_auc';
      const at = `${model} window ${k} ${peerName}`;
      expect(Math.abs(got.value! - Number(expected.value)), at).toBeLessThanOrEqual(
        auc ? tolerance.auc : tolerance.value,
      );
      const se = Number(expected.sampling_error);
      expect(Math.abs(got.sampling_error! / se - 1), `${at} SE`).toBeLessThanOrEqual(
        auc ? tolerance.aucSe : 1e-9,
      );
      expect(got.lower_threshold, `${at} lower threshold`).toBeCloseTo(
        Number(expected.lower_threshold),
        9,
      );
      expect(got.upper_threshold, `${at} upper threshold`).toBeCloseTo(
        Number(expected.upper_threshold),
        9,
      );
      expect(got.alert, `${at} alert`).toBe(expected.alert);
      if (got.alert) alerts++;
    }
  }
  // The data sets drift half-way: NannyML alerts on the second half, so must we.
  expect(alerts).toBeGreaterThan(0);
}

describe('CBPE matches NannyML 0.13.1', () => {
  it('binary: synthetic car loan', async () => {
    await compare(
      'car-loan',
      peer.car_loan,
      Object.fromEntries(Object.keys(MULTICLASS_NAMES).map((m) => [m, m])),
      [peer.car_loan.needs_calibration!],
      { value: 1e-9, auc: 1e-8, aucSe: 0.005 },
    );
  });

  it('multiclass: synthetic credit cards', async () => {
    const calibrated = CLASSES.map((c) => peer.multiclass.calibrated![c]!);
    await compare('cards', peer.multiclass, MULTICLASS_NAMES, calibrated, {
      value: 1e-9,
      auc: 2e-6,
      aucSe: 0.005,
    });
  });
});

describe('the calibration map in SQL', () => {
  it('is scikit-learn interpolation: linear between points, clipped outside, exact at them', async () => {
    const map = { x: [0.1, 0.3, 0.3000001, 0.8], y: [0.05, 0.2, 0.6, 0.9] };
    const scores = [0, 0.1, 0.2, 0.3, 0.30000005, 0.5, 0.8, 0.95, 1];
    const params = {};
    const sql = calibratedSql('s', map, 'm', params);
    const got = await store.query<{ p: number }>(
      `SELECT ${sql} AS p FROM (SELECT arrayJoin({scores:Array(Float64)}) AS s)`,
      { ...params, scores },
    );
    got.forEach((r, i) => expect(r.p).toBeCloseTo(calibrate(map, scores[i]!), 12));
  });
});

describe('a labelled time range as the reference', () => {
  it('fits as the same rows logged as a labelled dataset do', async () => {
    // 10,000 car-loan reference rows twice: as model "ds"'s labelled dataset, and as model
    // "rng"'s predictions whose labels came through the labels table, its reference a range.
    const rows = csv('cbpe-car-loan.csv.gz');
    const reference = rows.filter((r) => r.period === 'r').slice(0, 10_000);
    const window = { from: T1, to: T1 + 5_000 };
    const analysis = rows.filter((r) => r.period === 'a').slice(0, 5_000);
    const predictions = (model: string, list: typeof rows, t: number) =>
      list.map((r, i) => ({
        event_id: crypto.randomUUID(),
        timestamp: t + i,
        model,
        version: 'v1',
        prediction_num: Number(r.y_pred_proba),
        latency_ms: 1,
      }));
    await store.insert(
      Tables.referenceRows,
      reference.map((r, i) => ({
        model: 'ds',
        version: 'v1',
        reference_id: 'validation',
        timestamp: T0 + i,
        prediction_num: Number(r.y_pred_proba),
        label_num: Number(r.repaid),
      })),
    );
    const logged = predictions('rng', reference, T0);
    await store.insert(Tables.predictions, [
      ...logged,
      ...predictions('rng', analysis, T1),
      ...predictions('ds', analysis, T1),
    ]);
    await store.insert(
      Tables.labels,
      logged.map((p, i) => ({
        model: 'rng',
        event_id: p.event_id,
        request_id: '',
        label_num: Number(reference[i]!.repaid),
        timestamp: p.timestamp,
      })),
    );
    const ranged = modelSettings.parse({
      reference: { source: 'range', from: T0, to: T0 + reference.length },
    });
    const fromRange = await detectCbpe(store, ranged, { model: 'rng', window });
    const fromDataset = await detectCbpe(store, settings, { model: 'ds', window });
    expect(fromRange.document.reason).toBeUndefined();
    expect(fromRange.document.reference?.labelled_rows).toBe(10_000);
    expect(fromRange.document.metrics).toEqual(fromDataset.document.metrics);
  });
});

describe('without a labelled reference', () => {
  it('says why nothing was estimated', async () => {
    // A model with predictions and no reference dataset: its previous window is the reference,
    // which CBPE does not learn from.
    await store.insert(Tables.predictions, [
      {
        event_id: crypto.randomUUID(),
        timestamp: T1,
        model: 'unlabelled',
        version: 'v1',
        prediction_num: 0.7,
      },
    ]);
    const { document, rows } = await detectCbpe(store, settings, {
      model: 'unlabelled',
      window: windowOf(0, peer.car_loan.chunk_size),
    });
    expect(document.metrics).toEqual({});
    expect(document.reason).toContain('labelled reference');
    expect(rows).toEqual([]);
  });
});

describe('a labelled reference CBPE cannot fit', () => {
  it('is looked at once: why is stored with the reference, and looked at again when it grows', async () => {
    // Scores labelled 0..4 (a regression model's numbers): not a binary classifier's labels.
    const reference = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        model: 'graded',
        version: 'v1',
        reference_id: 'grades',
        timestamp: T0 + from + i,
        prediction_num: ((from + i) % 5) / 4,
        label_num: (from + i) % 5,
      }));
    await store.insert(Tables.referenceRows, reference(0, 50));
    const window = windowOf(0, peer.car_loan.chunk_size);
    const why = 'a scored reference must be labelled 0 or 1 (binary classification)';
    // The latest stored outcome (a refit appends a newer row; merges may drop older ones).
    const stored = async () =>
      (
        await store.query<{ fit: string; at: string }>(
          `SELECT argMax(fit, computed_at) AS fit, toString(max(computed_at)) AS at
           FROM ${Tables.referenceFits} WHERE model = 'graded' AND family = 'cbpe'`,
        )
      )[0]!;
    const detect = async () =>
      (await detectCbpe(store, settings, { model: 'graded', window })).document.reason;
    expect(await detect()).toBe(why);
    const first = await stored();
    expect(JSON.parse(first.fit)).toEqual({ format: 1, reason: why, rows: 50 });
    expect(await detect()).toBe(why);
    expect(await stored()).toEqual(first);
    // Rows labelled 0/1 only are added: still not binary as a whole, and looked at again.
    await store.insert(
      Tables.referenceRows,
      reference(50, 2).map((r) => ({ ...r, label_num: 1 })),
    );
    expect(await detect()).toBe(why);
    const again = await stored();
    expect(JSON.parse(again.fit)).toEqual({ format: 1, reason: why, rows: 52 });
    expect(again.at > first.at).toBe(true);
  });
});

describe('estimated_performance is stored with the window', () => {
  it('beside the realized performance detector', async () => {
    const window = windowOf(9, peer.car_loan.chunk_size);
    await detectWindow(store, { model: 'car-loan', window });
    const run = (await latestRun(store, {
      model: 'car-loan',
      detector: 'estimated_performance',
      window,
    })) as { task: string; metrics: Record<string, Estimate> };
    expect(run.task).toBe('binary');
    expect(run.metrics.roc_auc!.alert).toBe(true);
    const rows = await store.query<{ statistic: string; status: string }>(
      `SELECT statistic, status FROM ${Tables.detectorResults}
       WHERE model = 'car-loan' AND detector = 'estimated_performance' AND is_verdict ORDER BY statistic`,
    );
    expect(rows.map((r) => r.statistic)).toEqual([
      'accuracy',
      'f1',
      'precision',
      'recall',
      'roc_auc',
    ]);
  });
});
