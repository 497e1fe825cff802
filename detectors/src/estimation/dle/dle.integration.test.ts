import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSources } from '../../alerts/engine/metrics';
import { resolveReference } from '../../reference/resolve';
import { latestRun } from '../../results/runs';
import { detectWindow } from '../../run/detect';
import { modelSettings, type ModelSettings } from '../../settings/model-settings';
import { dleState } from './dle-cache';
import { detectDle, type DleDocument } from './detect-dle';
import { withLabelNum } from './labels-sql';
import { predictRow } from './oblivious-trees';

// NannyML 0.13.1's DLE on its synthetic car-price data (detectors/fixtures/dle_fixtures.py): the
// same 20,000 reference and 20,000 analysis rows, logged as predictions with labels; each of
// NannyML's chunks of 2,000 rows is one window here.
interface FixtureMetric {
  value: number;
  sampling_error: number;
  realized: number;
  lower_confidence_boundary: number;
  upper_confidence_boundary: number;
  lower_threshold: number;
  upper_threshold: number;
  alert: boolean;
}
interface FixtureChunk {
  period: 'reference' | 'analysis';
  index: number;
  start: string;
  end: string;
  rows: number;
  mae: FixtureMetric;
  rmse: FixtureMetric;
}
const fixtures = join(import.meta.dirname, '../../../fixtures');
const fixture = JSON.parse(readFileSync(join(fixtures, 'dle-car-price.json'), 'utf8')) as {
  features: string[];
  chunks: FixtureChunk[];
};
const [header, ...lines] = gunzipSync(readFileSync(join(fixtures, 'dle-car-price.csv.gz')))
  .toString()
  .trim()
  .split('\n')
  .map((l) => l.split(','));
const col = (name: string) => header!.indexOf(name);

/** The data's 2017 timestamps moved to a month ago, inside the predictions' retention. */
const DAY = 86_400_000;
const shift = Math.floor(Date.now() / DAY) * DAY - 30 * DAY - Date.parse('2017-02-16T16:00:00Z');
const at = (iso: string) =>
  Date.parse(iso.replace(' ', 'T') + (iso.endsWith('Z') ? '' : 'Z')) + shift;

const NUMERIC = ['car_age', 'km_driven', 'price_new', 'accident_count', 'door_count'];
const CATEGORICAL = ['fuel', 'transmission'];
const MODEL = 'car-price';
/** The same data with its reference logged as a labelled reference dataset (reference_rows). */
const DATASET_MODEL = 'car-price-dataset';

const dir = mkdtempSync(join(tmpdir(), 'osprey-dle-'));
let store: Store;
const referenceChunks = fixture.chunks.filter((c) => c.period === 'reference');
const reference = {
  from: at(referenceChunks[0]!.start),
  to: at(referenceChunks[referenceChunks.length - 1]!.end) + 1,
};
const settings: ModelSettings = modelSettings.parse({
  reference: { source: 'range', ...reference },
});

/** NannyML's chunk as a window: from its first row to the next chunk's first row. */
function windowOf(chunk: FixtureChunk) {
  const next = fixture.chunks.find((c) => c.period === chunk.period && c.index === chunk.index + 1);
  return { from: at(chunk.start), to: next ? at(next.start) : at(chunk.end) + 1 };
}

const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 365 });
  await store.insert(
    Tables.predictions,
    lines.map((l, i) => ({
      event_id: uuid(i),
      timestamp: new Date(at(l[col('timestamp')]!)).toISOString(),
      model: MODEL,
      version: 'v1',
      num_features: Object.fromEntries(NUMERIC.map((f) => [f, Number(l[col(f)])])),
      cat_features: Object.fromEntries(CATEGORICAL.map((f) => [f, l[col(f)]])),
      prediction_num: Number(l[col('y_pred')]),
    })),
  );
  await store.insert(
    Tables.labels,
    lines.map((l, i) => ({
      model: MODEL,
      event_id: uuid(i),
      label_num: Number(l[col('y_true')]),
      timestamp: new Date(at(l[col('timestamp')]!) + 60_000).toISOString(),
    })),
  );
  await store.insert(
    Tables.referenceRows,
    lines
      .filter((l) => l[col('period')] === 'reference')
      .map((l) => ({
        model: DATASET_MODEL,
        version: 'v1',
        reference_id: 'validation',
        timestamp: new Date(at(l[col('timestamp')]!)).toISOString(),
        num_features: Object.fromEntries(NUMERIC.map((f) => [f, Number(l[col(f)])])),
        cat_features: Object.fromEntries(CATEGORICAL.map((f) => [f, l[col(f)]])),
        prediction_num: Number(l[col('y_pred')]),
        label_num: Number(l[col('y_true')]),
      })),
  );
  const analysis = lines.filter((l) => l[col('period')] === 'analysis');
  await store.insert(
    Tables.predictions,
    analysis.map((l) => ({
      event_id: crypto.randomUUID(),
      timestamp: new Date(at(l[col('timestamp')]!)).toISOString(),
      model: DATASET_MODEL,
      version: 'v1',
      num_features: Object.fromEntries(NUMERIC.map((f) => [f, Number(l[col(f)])])),
      cat_features: Object.fromEntries(CATEGORICAL.map((f) => [f, l[col(f)]])),
      prediction_num: Number(l[col('y_pred')]),
    })),
  );
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const documents = new Map<FixtureChunk, DleDocument>();

describe('DLE against NannyML 0.13.1 on the car-price data', () => {
  beforeAll(async () => {
    for (const chunk of fixture.chunks) {
      const { document } = await detectDle(store, settings, {
        model: MODEL,
        window: windowOf(chunk),
      });
      documents.set(chunk, document);
    }
  }, 300_000);

  it('scores each chunk of 2,000 rows as one window, all labelled', () => {
    for (const [chunk, d] of documents) {
      expect(d.reason).toBeUndefined();
      expect([d.rows, d.labelled]).toEqual([chunk.rows, chunk.rows]);
      expect(d.reference).toMatchObject({ rows: 20_000, labelled: 20_000, trained_rows: 20_000 });
    }
  });

  it('matches the realized MAE and RMSE, sampling errors and thresholds to 1e-9', () => {
    for (const [chunk, d] of documents) {
      for (const m of ['mae', 'rmse'] as const) {
        const ours = d.metrics[m]!;
        const peer = chunk[m];
        for (const key of [
          'realized',
          'sampling_error',
          'lower_threshold',
          'upper_threshold',
        ] as const)
          expect(
            relative(ours[key]!, peer[key]),
            `${chunk.period} ${chunk.index} ${m} ${key}`,
          ).toBeLessThan(1e-9);
      }
    }
  });

  it('estimates MAE and RMSE within 2% of NannyML per chunk (LightGBM nanny vs ours)', () => {
    let worst = 0;
    for (const [chunk, d] of documents) {
      for (const m of ['mae', 'rmse'] as const) {
        const error = relative(d.metrics[m]!.value!, chunk[m].value);
        worst = Math.max(worst, error);
        expect(error, `${chunk.period} ${chunk.index} ${m}`).toBeLessThan(0.02);
      }
    }
    // Measured: 0.6%. A regression of the nanny shows here before it breaks the 2% bound.
    expect(worst).toBeLessThan(0.01);
  });

  it('alerts on the same chunks as NannyML (the last five analysis chunks), with its bands', () => {
    for (const [chunk, d] of documents) {
      for (const m of ['mae', 'rmse'] as const) {
        const ours = d.metrics[m]!;
        expect(ours.alert, `${chunk.period} ${chunk.index} ${m}`).toBe(chunk[m].alert);
        expect(ours.lower_confidence_boundary).toBeCloseTo(
          ours.value! - 3 * ours.sampling_error!,
          9,
        );
        expect(ours.upper_confidence_boundary).toBeCloseTo(
          ours.value! + 3 * ours.sampling_error!,
          9,
        );
      }
    }
    const alerted = [...documents].filter(([, d]) => d.metrics.mae!.alert).map(([c]) => c.index);
    expect(alerted).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('DLE on a labelled reference dataset (reference_rows.label_num)', () => {
  it('estimates analysis chunks without their labels as from the labelled range', async () => {
    const dataset = modelSettings.parse({});
    // The last chunk before NannyML alerts and the first it alerts on.
    for (const chunk of fixture.chunks.filter(
      (c) => c.period === 'analysis' && [4, 5].includes(c.index),
    )) {
      const window = windowOf(chunk);
      const { document: d } = await detectDle(store, dataset, { model: DATASET_MODEL, window });
      const range = documents.get(chunk)!;
      expect(d.reference).toMatchObject({ key: 'dataset:validation', labelled: 20_000 });
      expect([d.rows, d.labelled]).toEqual([chunk.rows, 0]);
      for (const m of ['mae', 'rmse'] as const) {
        expect(d.metrics[m]!.realized).toBeNull();
        expect(d.metrics[m]!.alert).toBe(chunk[m].alert);
        expect(relative(d.metrics[m]!.value!, range.metrics[m]!.value!)).toBeLessThan(1e-9);
        expect(relative(d.metrics[m]!.upper_threshold!, chunk[m].upper_threshold)).toBeLessThan(
          1e-9,
        );
      }
    }
  }, 120_000);
});

describe('DLE as a detector of every window', () => {
  it('is stored as estimated_performance, with result rows and the estimated.mae alert metric', async () => {
    await store.insert(Tables.modelSettings, [
      { model: MODEL, settings: JSON.stringify(settings), updated_by: 'test' },
    ]);
    const chunk = fixture.chunks.find((c) => c.period === 'analysis' && c.index === 5)!;
    const window = windowOf(chunk);
    const detection = await detectWindow(store, { model: MODEL, window });
    const stored = (await latestRun(store, {
      model: MODEL,
      detector: 'estimated_performance',
      window,
    })) as DleDocument;
    expect(stored).toEqual(JSON.parse(JSON.stringify(detection.estimated_performance)));
    expect(stored.metrics.mae!.alert).toBe(true);
    const rows = await store.query<{ statistic: string; status: string; value: number }>(
      `SELECT statistic, status, value FROM ${Tables.detectorResults}
       WHERE model = {m:String} AND detector = 'estimated_performance' AND is_verdict
       ORDER BY statistic`,
      { m: MODEL },
    );
    expect(rows.map((r) => [r.statistic, r.status])).toEqual([
      ['mae', 'alert'],
      ['rmse', 'alert'],
    ]);
    const samples = await builtinSources().get('estimated')!({
      store,
      metric: 'estimated.mae',
      detection,
    });
    expect(samples).toEqual([{ feature: null, value: stored.metrics.mae!.value }]);
  }, 120_000);
});

describe('when DLE does not estimate', () => {
  const window = { from: reference.to, to: reference.to + 3_600_000 };

  it('skips a classifier (labels all 0/1) unless the settings say regression, and scores a segment with the whole model’s nannies', async () => {
    const model = 'scores';
    await store.command(
      `INSERT INTO ${Tables.referenceRows} (model, version, reference_id, timestamp, num_features, prediction_num, label_num)
       SELECT {model:String}, 'v1', 'ref', fromUnixTimestamp64Milli({t:Int64} + number), map('x', toFloat64(number % 7)),
              (number % 10) / 10, number % 2
       FROM numbers(200)`,
      { model, t: window.from },
    );
    await store.command(
      `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, prediction_num, tags)
       SELECT generateUUIDv4(), fromUnixTimestamp64Milli({t:Int64} + number), {model:String}, 'v1',
              map('x', toFloat64(number % 5)), (number % 10) / 10, map('region', if(number < 20, 'eu', 'us'))
       FROM numbers(50)`,
      { model, t: window.from },
    );
    const inferred = await detectDle(store, modelSettings.parse({}), { model, window });
    expect(inferred.document.reason).toMatch(/all 0 or 1/);
    expect(inferred.rows).toEqual([]);
    const regression = modelSettings.parse({ task: 'regression' });
    const forced = await detectDle(store, regression, { model, window });
    expect(forced.document.reason).toBeUndefined();
    expect(forced.document.rows).toBe(50);
    expect(forced.document.reference).toMatchObject({ labelled: 200, trained_rows: 200 });
    // A segment's window is scored with the whole model's nannies; its sampling error uses its rows.
    const eu = await detectDle(store, regression, {
      model,
      window,
      segment: { key: 'region', value: 'eu' },
    });
    expect(eu.document.reference!.key).toBe(forced.document.reference!.key);
    expect(eu.document.rows).toBe(20);
    expect(eu.document.metrics.mae!.sampling_error).toBeCloseTo(
      forced.document.metrics.mae!.sampling_error! * Math.sqrt(50 / 20),
      12,
    );
    const classifier = modelSettings.parse({ task: 'classification' });
    expect((await detectDle(store, classifier, { model, window })).document.reason).toMatch(
      /classifier/,
    );
  });

  it('says what to do when the reference is the previous window', async () => {
    const { document } = await detectDle(store, modelSettings.parse({}), {
      model: 'no-reference',
      window,
    });
    expect(document.reason).toMatch(/log a reference dataset with labels/);
  });
});

describe('the nanny scored in SQL', () => {
  it('gives what the fitted trees give in TypeScript, row for row on average', async () => {
    const ref = (await resolveReference(store, settings, { model: MODEL, window: reference }))!;
    const state = await dleState(store, MODEL, ref, withLabelNum(ref.rows));
    const chunk = fixture.chunks.find((c) => c.period === 'analysis' && c.index === 7)!;
    const window = windowOf(chunk);
    const rows = lines.filter((l) => {
      const t = at(l[col('timestamp')]!);
      return t >= window.from && t < window.to;
    });
    let abs = 0;
    let squared = 0;
    for (const l of rows) {
      const x = (metric: 'mae' | 'rmse') =>
        state.inputs.map((input, j) => {
          if (input.source === 'prediction') return Number(l[col('y_pred')]);
          if (input.source === 'num') return Number(l[col(input.name)]);
          const rank = state.nannies![metric].categories[j]!.indexOf(l[col(input.name)]!);
          return rank < 0 ? NaN : rank;
        });
      abs += Math.max(0, predictRow(state.nannies!.mae.model, x('mae')));
      squared += Math.max(0, predictRow(state.nannies!.rmse.model, x('rmse')));
    }
    const { document } = await detectDle(store, settings, { model: MODEL, window });
    expect(relative(document.metrics.mae!.value!, abs / rows.length)).toBeLessThan(1e-12);
    expect(relative(document.metrics.rmse!.value!, Math.sqrt(squared / rows.length))).toBeLessThan(
      1e-12,
    );
  });

  it('is fitted once and then read back from reference_fits', async () => {
    const ref = (await resolveReference(store, settings, { model: MODEL, window: reference }))!;
    const [{ n }] = (await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = {m:String} AND reference_key = {k:String} AND family = 'dle'`,
      { m: MODEL, k: ref.key },
    )) as [{ n: string }];
    expect(Number(n)).toBe(1);
  });
});
