import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveReference } from '../reference/resolve';
import { modelSettings } from '../settings/model-settings';
import { detectQuality, qualityFit, type QualityReport } from './detect-quality';

// Osprey's data-quality detector against NannyML 0.13.1's MissingValuesCalculator,
// UnseenValuesCalculator and NumericalRangeCalculator on real chDB: 10,000 reference and 10,000
// analysis rows of NannyML's car-loan data with problems injected by fixed rules
// (detectors/fixtures/quality_fixtures.py). Each NannyML chunk of 1,000 analysis rows is one
// Osprey hour window; the reference is laid out in NannyML's row order, so its chunks are the same.
const FIXTURES = join(import.meta.dirname, '../../fixtures');
const nannyml = JSON.parse(readFileSync(join(FIXTURES, 'quality-nannyml.json'), 'utf8')) as {
  chunk_size: number;
  missing: Periods;
  unseen: Periods;
  range: Periods;
  rows_with_problems: number[];
};
type Stat = Record<string, number | boolean | null>;
type Periods = Record<'reference' | 'analysis', ({ chunk_index: number } & Record<string, Stat>)[]>;

const NUMERIC = ['car_value', 'debt_to_income_ratio', 'loan_length', 'driver_tenure'];
const CATEGORICAL = ['salary_range', 'size_of_downpayment'];
const BOOLEAN = ['repaid_loan_on_prev_car'];
/** Rates are shares of the same row counts: equal to the last bits, allowing for rounding only. */
const EXACT = 1e-12;

const dir = mkdtempSync(join(tmpdir(), 'osprey-quality-'));
let store: Store;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
const MODEL = 'car-loan';
const reports: QualityReport[] = [];

function eventColumns(r: Record<string, string>) {
  const num: Record<string, number> = {};
  const cat: Record<string, string> = {};
  const bool: Record<string, boolean> = {};
  const nulls: string[] = [];
  for (const k of [...NUMERIC, ...CATEGORICAL, ...BOOLEAN]) {
    const v = r[k]!;
    if (v === '') nulls.push(k);
    else if (NUMERIC.includes(k)) num[k] = Number(v);
    else if (BOOLEAN.includes(k)) bool[k] = v === 'True';
    else cat[k] = v;
  }
  return { num_features: num, cat_features: cat, bool_features: bool, null_features: nulls };
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  const [header, ...lines] = gunzipSync(readFileSync(join(FIXTURES, 'quality-car-loan.csv.gz')))
    .toString('utf8')
    .trimEnd()
    .split('\n');
  const names = header!.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
  const reference = rows.filter((r) => r.period === 'reference');
  const analysis = rows.filter((r) => r.period === 'analysis');
  const common = { model: MODEL, version: 'v1', prediction_vec: [], tags: {} };
  await store.insert(
    Tables.referenceRows,
    reference.map((r, i) => ({
      ...common,
      ...eventColumns(r),
      reference_id: 'ref',
      timestamp: T0 - 24 * HOUR + i,
    })),
  );
  const size = nannyml.chunk_size;
  await store.insert(
    Tables.predictions,
    analysis.map((r, i) => ({
      ...common,
      ...eventColumns(r),
      event_id: randomUUID(),
      timestamp: T0 + Math.floor(i / size) * HOUR + (i % size),
      latency_ms: 1,
      error: '',
      request_id: '',
    })),
  );
  const settings = modelSettings.parse({});
  for (let c = 0; c < analysis.length / size; c++) {
    const window = { from: T0 + c * HOUR, to: T0 + (c + 1) * HOUR };
    reports.push((await detectQuality(store, settings, { model: MODEL, window })).document);
  }
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const feature = (report: QualityReport, name: string) => {
  const f = report.features?.find((x) => x.feature === name);
  if (!f) throw new Error(`no ${name} in the report`);
  return f;
};

describe('against NannyML 0.13.1 on car-loan with injected problems', () => {
  it('scores one window per NannyML chunk', () => {
    expect(reports).toHaveLength(nannyml.missing.analysis.length);
    for (const r of reports) expect(r.rows).toBe(nannyml.chunk_size);
  });

  it('MissingValuesCalculator: rates, sampling errors, bands, thresholds and alerts', () => {
    let alerts = 0;
    nannyml.missing.analysis.forEach((chunk, c) => {
      for (const name of [...NUMERIC, ...CATEGORICAL, ...BOOLEAN]) {
        const peer = chunk[name]!;
        const ours = feature(reports[c]!, name).missing_rate;
        const at = `chunk ${c} ${name}`;
        expect(ours.value, at).toBeCloseTo(peer.value as number, 12);
        expect(Math.abs(ours.sampling_error! - (peer.sampling_error as number)), at).toBeLessThan(
          EXACT,
        );
        expect(
          Math.abs(ours.upper_confidence_boundary! - (peer.upper_confidence_boundary as number)),
          at,
        ).toBeLessThan(EXACT);
        expect(
          Math.abs(ours.lower_confidence_boundary! - (peer.lower_confidence_boundary as number)),
          at,
        ).toBeLessThan(EXACT);
        expect(Math.abs(ours.upper_threshold! - (peer.upper_threshold as number)), at).toBeLessThan(
          EXACT,
        );
        expect(Math.abs(ours.lower_threshold! - (peer.lower_threshold as number)), at).toBeLessThan(
          EXACT,
        );
        expect(ours.alert, at).toBe(peer.alert);
        if (peer.alert) alerts++;
      }
    });
    // The injected problems alert, below the lower threshold too (driver_tenure, chunk 7).
    expect(alerts).toBeGreaterThanOrEqual(9);
  });

  it('UnseenValuesCalculator: rates and alerts (ints as categories, nulls not unseen)', () => {
    let alerts = 0;
    nannyml.unseen.analysis.forEach((chunk, c) => {
      for (const name of [...CATEGORICAL, ...BOOLEAN, 'loan_length']) {
        const peer = chunk[name]!;
        const ours = feature(reports[c]!, name).unseen_rate!;
        const at = `chunk ${c} ${name}`;
        expect(Math.abs(ours.value! - (peer.value as number)), at).toBeLessThan(EXACT);
        expect(ours.upper_threshold, at).toBe(peer.upper_threshold);
        expect(ours.lower_threshold, at).toBe(peer.lower_threshold);
        expect(ours.alert, at).toBe(peer.alert);
        if (peer.alert) alerts++;
      }
    });
    expect(alerts).toBeGreaterThanOrEqual(4);
    // Continuous numbers keep no seen set.
    expect(feature(reports[0]!, 'car_value').unseen_rate).toBeNull();
  });

  it('NumericalRangeCalculator: rates and alerts', () => {
    let alerts = 0;
    nannyml.range.analysis.forEach((chunk, c) => {
      for (const name of NUMERIC) {
        const peer = chunk[name]!;
        const ours = feature(reports[c]!, name).out_of_range_rate!;
        const at = `chunk ${c} ${name}`;
        expect(Math.abs(ours.value! - (peer.value as number)), at).toBeLessThan(EXACT);
        expect(ours.upper_threshold, at).toBe(peer.upper_threshold);
        expect(ours.alert, at).toBe(peer.alert);
        if (peer.alert) alerts++;
      }
    });
    expect(alerts).toBeGreaterThanOrEqual(8);
  });

  it("scores the reference in NannyML's chunks: its missing rates per chunk", async () => {
    const settings = modelSettings.parse({});
    const scope = { model: MODEL, window: { from: T0, to: T0 + HOUR } };
    const ref = await resolveReference(store, settings, scope);
    const fit = (await qualityFit(store, scope, ref!))!;
    expect(fit.chunk_size).toBe(nannyml.chunk_size);
    nannyml.missing.reference.forEach((chunk, c) => {
      for (const name of [...NUMERIC, ...CATEGORICAL, ...BOOLEAN]) {
        expect(
          Math.abs(fit.features[name]!.missing.chunks[c]! - (chunk[name]!.value as number)),
        ).toBeLessThan(EXACT);
      }
    });
  });

  it('the share of rows with any problem (pandas, same rules) and its alert', () => {
    reports.forEach((r, c) => {
      expect(Math.abs(r.rows_with_problems!.value! - nannyml.rows_with_problems[c]!)).toBeLessThan(
        EXACT,
      );
    });
    expect(reports.slice(0, 4).map((r) => r.rows_with_problems!.alert)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(reports.slice(5).every((r) => r.rows_with_problems!.alert)).toBe(true);
  });

  it('nothing turns constant and no value changes type here', () => {
    for (const r of reports) {
      for (const f of r.features!) {
        expect(f.constant, `${f.feature}`).toBe(false);
        expect(f.type_change_rate.value).toBe(0);
        expect(f.type_change_rate.alert).toBe(false);
      }
    }
  });
});
