import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestRun } from '../results/runs';
import { builtinSources } from '../alerts/engine/metrics';
import { previewRule } from '../alerts/engine/preview';
import { ruleInput } from '../alerts/rules/schema';
import { detectWindow, type Detection } from '../run/detect';
import { modelSettings } from '../settings/model-settings';
import { detectMultivariateDrift, type MultivariateDriftReport } from './detect-multivariate';
import { multivariateHistory } from './history';

// NannyML 0.13.1's DataReconstructionDriftCalculator on car-loan rows, chunks of 1,000
// (detectors/fixtures/multivariate_fixtures.py): the reference (10,000 rows) is uploaded as a
// reference dataset in its order, and the analysis rows are logged as 10 hourly windows of
// 1,000 predictions, window i holding NannyML's analysis chunk i.
const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures');
const fixtures = JSON.parse(readFileSync(join(FIXTURE_DIR, 'multivariate.json'), 'utf8')) as {
  rows: { chunk: number };
  plain: PeerNumbers;
  gaps: PeerNumbers;
};
interface PeerChunk {
  period: 'reference' | 'analysis';
  value: number;
  sampling_error: number;
  upper_confidence_boundary: number;
  lower_confidence_boundary: number;
  alert: boolean;
}
interface PeerNumbers {
  continuous: string[];
  categorical: string[];
  components: number;
  thresholds: { lower: number | null; upper: number | null };
  chunks: PeerChunk[];
}

/**
 * Tolerance against NannyML: relative 1e-12. The PCA basis comes from another eigensolver
 * (ml-matrix's tridiagonal QL here, LAPACK's eigh in sklearn) and the sums from ClickHouse, so
 * the numbers agree to round-off (measured: ≤ 2.1e-15 relative), not bit for bit.
 */
const RELATIVE = 1e-12;
const close = (actual: number | null, expected: number | null) => {
  if (expected === null) return expect(actual).toBeNull();
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(RELATIVE * Math.abs(expected));
};

const HOUR = 3_600_000;
const start = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
const windowOf = (i: number) => ({ from: start + i * HOUR, to: start + (i + 1) * HOUR });

type Row = Record<string, string>;
const csv = gunzipSync(readFileSync(join(FIXTURE_DIR, 'multivariate-car-loan.csv.gz')))
  .toString('utf8')
  .trim()
  .split('\n');
const header = csv[0]!.split(',');
const all: Row[] = csv.slice(1).map((line) => {
  const cells = line.split(',');
  return Object.fromEntries(header.map((h, i) => [h, cells[i]!]));
});
const reference = all.filter((r) => r.period === 'reference');
const analysis = all.filter((r) => r.period === 'analysis');

/** The fixture's "gaps" rule (see multivariate_fixtures.py): missing features and one unseen category. */
function withGaps(rows: Row[], period: 'reference' | 'analysis'): Row[] {
  return rows.map((r, i) => {
    const out: Row = { ...r };
    if (period === 'reference') {
      if (i % 17 === 3) delete out.car_value;
      if (i % 23 === 5) delete out.salary_range;
    } else {
      if (i % 11 === 2) delete out.car_value;
      if (i % 13 === 7) out.size_of_downpayment = '50%';
      if (i % 19 === 4) delete out.salary_range;
    }
    return out;
  });
}

const NUMERIC = ['car_value', 'debt_to_income_ratio', 'loan_length', 'driver_tenure'];
const CATEGORICAL = ['salary_range', 'size_of_downpayment'];
function features(r: Row) {
  const pick = (names: string[]) => names.filter((n) => n in r);
  return {
    num_features: Object.fromEntries(pick(NUMERIC).map((n) => [n, Number(r[n])])),
    cat_features: Object.fromEntries(pick(CATEGORICAL).map((n) => [n, r[n]])),
    bool_features: { repaid_loan_on_prev_car: r.repaid_loan_on_prev_car === 'true' },
    null_features: [...NUMERIC, ...CATEGORICAL].filter((n) => !(n in r)),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'osprey-multivariate-'));
let store: Store;

async function load(model: string, ref: Row[], cur: Row[]): Promise<void> {
  const chunk = fixtures.rows.chunk;
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  if (ref.length > 0)
    await store.insert(
      Tables.referenceRows,
      ref.map((r, i) => ({
        model,
        version: 'v1',
        reference_id: 'car-loan',
        timestamp: iso(start - 30 * 24 * HOUR + i * 1000),
        ...features(r),
      })),
    );
  await store.insert(
    Tables.predictions,
    cur.map((r, i) => ({
      event_id: crypto.randomUUID(),
      timestamp: iso(windowOf(Math.floor(i / chunk)).from + (i % chunk) * 1000),
      model,
      version: 'v1',
      latency_ms: 1,
      ...features(r),
    })),
  );
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await load('car-loan', reference, analysis);
  await load('car-loan-gaps', withGaps(reference, 'reference'), withGaps(analysis, 'analysis'));
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const settings = modelSettings.parse({});

describe.each([
  ['car-loan', 'plain'],
  ['car-loan-gaps', 'gaps'],
] as const)('PCA reconstruction error of %s against NannyML 0.13.1', (model, variant) => {
  const peer = fixtures[variant];
  const analysed = peer.chunks.filter((c) => c.period === 'analysis');
  let reports: MultivariateDriftReport[];

  beforeAll(async () => {
    reports = [];
    for (let i = 0; i < analysed.length; i++) {
      const { document } = await detectMultivariateDrift(store, settings, {
        model,
        window: windowOf(i),
      });
      reports.push(document);
    }
  }, 120_000);

  it('encodes the same features and keeps the same number of components', () => {
    const first = reports[0]!;
    expect(first.features.numeric).toEqual(peer.continuous);
    expect(first.features.categorical).toEqual(peer.categorical);
    expect(first.components).toBe(peer.components);
    expect(first.reference?.size).toBe(10_000);
    expect(first.threshold.reference_chunks).toBe(10);
  });

  it('has NannyML’s error, sampling error, band and thresholds in every window', () => {
    for (const [i, c] of analysed.entries()) {
      const r = reports[i]!;
      expect(r.current_size).toBe(fixtures.rows.chunk);
      close(r.value, c.value);
      close(r.sampling_error, c.sampling_error);
      close(r.upper_confidence_bound, c.upper_confidence_boundary);
      close(r.lower_confidence_bound, c.lower_confidence_boundary);
      close(r.thresholds.upper, peer.thresholds.upper);
      close(r.thresholds.lower, peer.thresholds.lower);
    }
  });

  it('alerts in exactly the windows NannyML alerts in', () => {
    expect(reports.map((r) => r.alert)).toEqual(analysed.map((c) => c.alert));
    // Not a vacuous comparison: the car-loan analysis drifts in its second half.
    expect(analysed.some((c) => c.alert)).toBe(true);
    expect(analysed.some((c) => !c.alert)).toBe(variant === 'plain');
  });
});

describe('multivariate drift as a detector', () => {
  const detections: Detection[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 10; i++) {
      detections.push(await detectWindow(store, { model: 'car-loan', window: windowOf(i) }));
    }
  }, 120_000);

  it('is stored with the window’s runs and reuses the reference’s fit', async () => {
    const window = windowOf(9);
    const report = detections[9]!.multivariate_drift as MultivariateDriftReport;
    expect(report.alert).toBe(true);
    const stored = (await latestRun(store, {
      model: 'car-loan',
      detector: 'multivariate_drift',
      window,
    })) as MultivariateDriftReport | undefined;
    expect(stored?.value).toBe(report.value);
    const [row] = await store.query<{ status: string; value: number; threshold: number }>(
      `SELECT status, value, threshold FROM ${Tables.detectorResults}
       WHERE model = 'car-loan' AND detector = 'multivariate_drift' AND statistic = 'reconstruction_error'
         AND window_start = fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       ORDER BY computed_at DESC LIMIT 1`,
      { from: window.from },
    );
    expect(row).toMatchObject({ status: 'drift', value: stored!.value });
    expect(row!.threshold).toBe(stored!.thresholds.upper);
    const [fits] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = 'car-loan' AND family = 'multivariate_drift'`,
    );
    expect(Number(fits!.n)).toBe(1);
  });

  it('gives alert rules multivariate.reconstruction_error and multivariate.alert', async () => {
    const source = builtinSources().get('multivariate')!;
    const report = detections[9]!.multivariate_drift as MultivariateDriftReport;
    const sample = (metric: string, d: Detection) => source({ store, metric, detection: d });
    expect(await sample('multivariate.reconstruction_error', detections[9]!)).toEqual([
      { feature: null, value: report.value },
    ]);
    expect(await sample('multivariate.alert', detections[9]!)).toEqual([
      { feature: null, value: 1 },
    ]);
    expect(await sample('multivariate.alert', detections[0]!)).toEqual([
      { feature: null, value: 0 },
    ]);
  });

  it('answers the stored windows for the model page, with thresholds and alerts', async () => {
    const points = await multivariateHistory(store, {
      model: 'car-loan',
      from: windowOf(0).from,
      to: windowOf(10).from,
    });
    const analysed = fixtures.plain.chunks.filter((c) => c.period === 'analysis');
    expect(points.map((p) => p.alert)).toEqual(analysed.map((c) => c.alert));
    expect(points[0]).toMatchObject({
      window_start: new Date(windowOf(0).from).toISOString(),
      rows: 1000,
      components: fixtures.plain.components,
      features: 7,
      reason: null,
    });
    close(points[3]!.upper_threshold, fixtures.plain.thresholds.upper);
  });

  it('previews a rule on the stored runs: it fires once, when the drift starts', async () => {
    const preview = await previewRule(
      store,
      builtinSources(),
      ruleInput.parse({
        name: 'multivariate drift',
        model: 'car-loan',
        metric: 'multivariate.alert',
        op: '==',
        threshold: 1,
      }),
      { from: windowOf(0).from, to: windowOf(10).from },
    );
    expect(preview.windows).toBe(10);
    expect(preview.fired).toBe(1);
    const firstAlert = fixtures.plain.chunks
      .filter((c) => c.period === 'analysis')
      .findIndex((c) => c.alert);
    expect(preview.firings[0]!.window.from).toBe(new Date(windowOf(firstAlert).from).toISOString());
  });

  it('widens the thresholds of a window smaller than a reference block', async () => {
    // 10,000 reference rows in 2,000 blocks of 5: a window of 3 rows is smaller than a block.
    const window = windowOf(11);
    await store.insert(
      Tables.predictions,
      analysis.slice(0, 3).map((r, i) => ({
        event_id: crypto.randomUUID(),
        timestamp: new Date(window.from + i * 1000)
          .toISOString()
          .replace('T', ' ')
          .replace('Z', ''),
        model: 'car-loan',
        version: 'v1',
        latency_ms: 1,
        ...features(r),
      })),
    );
    const { document } = await detectMultivariateDrift(store, settings, {
      model: 'car-loan',
      window,
    });
    expect(document.current_size).toBe(3);
    expect(document.threshold.scaled_to_rows).toBe(3);
    const spread = (b: { upper: number | null; lower: number | null }) => b.upper! - (b.lower ?? 0);
    expect(document.thresholds.upper!).toBeGreaterThan(fixtures.plain.thresholds.upper! + 0.3);
    expect(spread(document.thresholds)).toBeGreaterThan(spread(fixtures.plain.thresholds));
  });

  it('compares with the previous window when the model has no reference dataset, without storing that fit', async () => {
    await load('car-loan-no-dataset', [], analysis.slice(0, 2_000));
    const { document } = await detectMultivariateDrift(store, settings, {
      model: 'car-loan-no-dataset',
      window: windowOf(1),
    });
    expect(document.reference).toMatchObject({ source: 'previous_window', size: 1_000 });
    expect(document.value).toBeGreaterThan(0);
    expect(document.alert).toBe(false);
    const [fits] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = 'car-loan-no-dataset'`,
    );
    expect(Number(fits!.n)).toBe(0);
  });

  it('says why there is no value when the model has no reference rows and no earlier window', async () => {
    const { document, rows } = await detectMultivariateDrift(store, settings, {
      model: 'no-such-model',
      window: windowOf(0),
    });
    expect(document.value).toBeNull();
    expect(document.alert).toBeNull();
    expect(document.reason).toMatch(/fewer than 2 rows/);
    expect(rows[0]).toMatchObject({ status: 'unknown', value: null });
  });
});
