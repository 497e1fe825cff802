import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSources } from '../alerts/engine/metrics';
import { detectWindow, type Detection } from '../run/detect';
import type { QualityReport } from './detect-quality';
import { qualityHeatmap } from './quality-heatmap';

// The checks NannyML has no calculator for (type changes, constant features, features left out
// of events, identifiers), the stored run and the alert metrics, on real chDB.
const dir = mkdtempSync(join(tmpdir(), 'osprey-quality-checks-'));
let store: Store;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const MODEL = 'checks';
const COLOURS = ['red', 'green', 'blue'];
let detection: Detection;
let report: QualityReport;

function event(i: number, window: boolean) {
  const num: Record<string, number> = { code: window ? 1 : i % 4 };
  const cat: Record<string, string> = { colour: COLOURS[i % 3]!, id: `${window ? 'w' : 'u'}${i}` };
  // x arrives as text in a tenth of the window's rows
  if (window && i % 10 === 0) cat.x = `#${i % 100}`;
  else num.x = i % 100;
  // opt: in every other reference row, in no window row
  if (!window && i % 2 === 0) num.opt = i / 7;
  return {
    model: MODEL,
    version: 'v1',
    num_features: num,
    cat_features: cat,
    bool_features: { flag: i % 2 === 0 },
    null_features: [],
    prediction_vec: [],
    tags: {},
  };
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await store.insert(
    Tables.referenceRows,
    Array.from({ length: 1_200 }, (_, i) => ({
      ...event(i, false),
      reference_id: 'ref',
      timestamp: T0 - HOUR + i,
    })),
  );
  await store.insert(
    Tables.predictions,
    Array.from({ length: 600 }, (_, i) => ({
      ...event(i, true),
      event_id: randomUUID(),
      timestamp: T0 + i * 1_000,
      latency_ms: 1,
      error: '',
      request_id: '',
    })),
  );
  detection = await detectWindow(store, { model: MODEL, window: { from: T0, to: T0 + HOUR } });
  report = detection.quality as QualityReport;
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const feature = (name: string) => report.features!.find((f) => f.feature === name)!;

describe('data quality beyond NannyML', () => {
  it('a numeric feature arriving as text is a type change, not a missing value', () => {
    const x = feature('x');
    expect(x.type).toBe('numeric');
    expect(x.type_change_rate).toMatchObject({ value: 0.1, upper_threshold: 0, alert: true });
    expect(x.missing_rate.value).toBe(0);
    expect(feature('colour').type_change_rate.alert).toBe(false);
  });

  it('a feature left out of events is missing, judged against how often the reference left it out', () => {
    const opt = feature('opt');
    expect(opt.missing_rate).toMatchObject({
      value: 1,
      lower_threshold: 0.5,
      upper_threshold: 0.5,
    });
    expect(opt.missing_rate.alert).toBe(true);
    expect(opt.null_count).toBe(0);
    expect(feature('colour').missing_rate).toMatchObject({ value: 0, alert: false });
  });

  it('a code that turned constant is flagged; features still varying are not', () => {
    expect(feature('code').constant).toBe(true);
    // a whole-number code with 4 values is a category: its values are checked as seen or not
    expect(feature('code').unseen_rate).toMatchObject({ value: 0, alert: false });
    expect(feature('colour').constant).toBe(false);
    expect(feature('flag').constant).toBe(false);
  });

  it('an identifier (over 1,000 reference values) keeps no seen set: no unseen rate', () => {
    expect(feature('id').unseen_rate).toBeNull();
    expect(feature('colour').unseen_rate).toMatchObject({ value: 0, alert: false });
    // x has 100 distinct whole numbers: continuous, range only
    expect(feature('x').unseen_rate).toBeNull();
    expect(feature('x').out_of_range_rate).toMatchObject({ value: 0, alert: false });
  });

  it('every row misses opt: all rows have a problem', () => {
    expect(report.rows).toBe(600);
    expect(report.rows_with_problems).toMatchObject({ value: 1, alert: true });
    expect(report.features_with_alerts).toBe(3);
  });

  it('is stored as the quality detector, one result row per feature and check', async () => {
    const runs = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.detectorRuns} WHERE model = {m:String} AND detector = 'quality'`,
      { m: MODEL },
    );
    expect(Number(runs[0]!.n)).toBe(1);
    const rows = await store.query<{ feature: string; statistic: string; status: string }>(
      `SELECT feature, statistic, status FROM ${Tables.detectorResults}
       WHERE model = {m:String} AND detector = 'quality' AND status = 'alert' ORDER BY feature, statistic`,
      { m: MODEL },
    );
    expect(rows).toEqual([
      { feature: '', statistic: 'rows_with_problems', status: 'alert' },
      { feature: 'code', statistic: 'constant', status: 'alert' },
      { feature: 'opt', statistic: 'missing_rate', status: 'alert' },
      { feature: 'x', statistic: 'type_change_rate', status: 'alert' },
    ]);
  });

  it('feeds the alert metrics quality.*', async () => {
    const source = builtinSources().get('quality')!;
    const samples = async (metric: string) =>
      Object.fromEntries(
        (await source({ store, metric, detection })).map((s) => [s.feature ?? '*', s.value]),
      );
    expect(await samples('quality.missing_rate')).toMatchObject({ opt: 1, x: 0 });
    expect(await samples('quality.type_change')).toMatchObject({ x: 0.1, colour: 0 });
    expect(await samples('quality.rows_with_problems')).toEqual({ '*': 1 });
    expect(await samples('quality.constant')).toMatchObject({ code: 1, colour: 0 });
    expect(await samples('quality.alert')).toEqual({
      code: 1,
      colour: 0,
      flag: 0,
      id: 0,
      opt: 1,
      x: 1,
    });
    expect(Object.keys(await samples('quality.unseen_rate')).sort()).toEqual([
      'code',
      'colour',
      'flag',
    ]);
  });

  it("gives the heatmap's data-quality row: the window alerts, its checks named", async () => {
    const cells = await qualityHeatmap(store, { model: MODEL, from: T0, to: T0 + HOUR });
    expect(cells).toEqual([
      {
        window_end: new Date(T0 + HOUR).toISOString(),
        status: 'alert',
        rows_with_problems: 1,
        threshold: 0.5,
        current_size: 600,
        alerts: ['code constant', 'opt missing_rate', 'x type_change_rate', 'rows with problems'],
        alert_count: 4,
      },
    ]);
  });

  it('a window of one row is too short to call anything constant', async () => {
    const from = T0 + HOUR;
    await store.insert(Tables.predictions, [
      {
        ...event(5, true),
        event_id: randomUUID(),
        timestamp: from + 10,
        latency_ms: 1,
        error: '',
        request_id: '',
      },
    ]);
    const one = (await detectWindow(store, { model: MODEL, window: { from, to: from + HOUR } }))
      .quality as QualityReport;
    expect(one.features!.find((f) => f.feature === 'code')!.constant).toBeNull();
    // the reference was fitted once and reused
    const fits = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = {m:String} AND family = 'quality'`,
      { m: MODEL },
    );
    expect(Number(fits[0]!.n)).toBe(1);
  });
});
