import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSettings } from '../settings/model-settings';
import { detectDrift, type FeatureDrift } from './detect-drift';

// The six drift defects of issue #16 (part 1), each on data that showed it, on real chDB. The
// peers' numbers come from detectors/fixtures/drift_defects_fixtures.py (scipy, numpy,
// Evidently 0.7.23), which defines each data set by a formula that is rebuilt here in SQL:
// value i of n is the inverse CDF at (i + 0.5) / n, rounded to 6 decimals.
const fixtures = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/drift-defects.json'), 'utf8'),
) as Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'osprey-drift-defects-'));
let store: Store;
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };

/** Inverse CDFs as SQL of u, and the fixture's quantile data: round(F⁻¹((i + 0.5) / n), 6). */
const exponential = (u: string) => `-log1p(-${u})`;
const quantiles = (n: number, inverse: (u: string) => string) =>
  `round(${inverse(`((number + 0.5) / ${n})`)}, 6)`;

/**
 * `n` reference rows and `m` window rows of model `model`: `num` and `cat` map each feature to an
 * SQL expression of `number` (the row) and `side` (0 reference, 1 window).
 */
async function insert(
  model: string,
  sizes: { n: number; m: number },
  features: { num?: Record<string, string>; cat?: Record<string, string> },
): Promise<void> {
  const map = (f: Record<string, string> | undefined, type: string) =>
    f && Object.keys(f).length > 0
      ? `map(${Object.entries(f)
          .map(([k, e]) => `'${k}', ${type}(${e})`)
          .join(', ')})`
      : `map()`;
  const columns = (side: 0 | 1) =>
    `${map(features.num, 'toFloat64')} AS num_features, ${map(features.cat, 'toString')} AS cat_features`.replaceAll(
      'side',
      String(side),
    );
  await store.command(
    `INSERT INTO ${Tables.referenceRows} (model, version, reference_id, timestamp, num_features, cat_features)
     SELECT {model:String}, 'v1', 'ref', now64(3), num_features, cat_features
     FROM (SELECT number, ${columns(0)} FROM numbers({n:UInt64}))`,
    { model, n: sizes.n },
  );
  await store.command(
    `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, cat_features, latency_ms)
     SELECT generateUUIDv4(), fromUnixTimestamp64Milli({from:Int64} + intDiv(number * 3600000, {m:UInt64}), 'UTC'),
            {model:String}, 'v1', num_features, cat_features, 1
     FROM (SELECT number, ${columns(1)} FROM numbers({m:UInt64}))`,
    { model, m: sizes.m, from },
  );
}

async function drift(
  model: string,
  feature: string,
  drift: Record<string, unknown> = {},
): Promise<FeatureDrift> {
  const report = await detectDrift(store, modelSettings.parse({ drift }), { model, window });
  const f = report.features.find((x) => x.feature === feature);
  if (!f)
    throw new Error(`no ${feature} in ${JSON.stringify(report.features.map((x) => x.feature))}`);
  return f;
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('1. a category the reference never had', () => {
  it('counts for a two-valued feature: 3% of a new "zz" drifts by chi-square over the union', async () => {
    // 800 reference rows 30% a / 70% b; the window the same share of a, 3% "zz" in place of b.
    await insert(
      'new-category',
      { n: 800, m: 600 },
      { cat: { c: `if(side = 1 AND number % 100 >= 97, 'zz', if(number % 10 < 3, 'a', 'b'))` } },
    );
    const f = await drift('new-category', 'c');
    expect(f.kind).toBe('binary');
    expect(f.method).toBe('chi2');
    expect(f.value).toBe(0);
    expect(f.drift).toBe(true);
    // the z-test alone would not see it
    expect(f.statistics.z_p_value).toBeGreaterThan(0.5);
  });
});

/** An SQL expression of `number` that takes each value as often as `counts` says, in order. */
function fromCounts(counts: Record<string, number>): string {
  let below = 0;
  const entries = Object.entries(counts);
  const branches = entries.slice(0, -1).map(([v, n]) => `number < ${(below += n)}, ${Number(v)}`);
  const last = Number(entries.at(-1)![0]);
  return branches.length === 0 ? String(last) : `multiIf(${branches.join(', ')}, ${last})`;
}

describe("2. numeric features of at most 5 values follow Evidently's categorical rules", () => {
  const cases = fixtures.low_cardinality as {
    name: string;
    ref: Record<string, number>;
    cur: Record<string, number>;
    method: string;
    threshold: number;
    value: number;
  }[];
  const METHOD: Record<string, string> = {
    'Jensen-Shannon distance': 'jensen_shannon',
    'Z-test p_value': 'z',
    'chi-square p_value': 'chi2',
  };
  for (const c of cases) {
    it(`${c.name}: Evidently 0.7.23's test and value (1e-9 relative)`, async () => {
      const model = `few-${c.name.replaceAll('_', '-')}`;
      const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
      await insert(
        model,
        { n: sum(c.ref), m: sum(c.cur) },
        { num: { x: `if(side = 0, ${fromCounts(c.ref)}, ${fromCounts(c.cur)})` } },
      );
      const f = await drift(model, 'x');
      expect(f.method).toBe(METHOD[c.method]);
      expect(f.threshold).toBe(c.threshold);
      expect(Math.abs(f.value! - c.value) / c.value).toBeLessThan(1e-9);
      const isP = f.method !== 'jensen_shannon';
      expect(f.drift).toBe(isP ? c.value < c.threshold : c.value >= c.threshold);
    });
  }
});

describe('3. bucket-mode KS with a point mass in the reference', () => {
  const cases = fixtures.point_mass as {
    name: string;
    n: number;
    cap: number;
    cur_cap: number | null;
    ks_statistic: number;
  }[];
  for (const c of cases) {
    it(`${c.name}: the reference's cap holds a point mass; D within 1e-3 of scipy's exact one`, async () => {
      const model = `mass-${c.name.replaceAll('_', '-')}`;
      const values = quantiles(c.n, exponential);
      await insert(
        model,
        { n: c.n, m: c.n },
        {
          num: {
            x: `if(side = 0, least(${values}, ${c.cap}), least(${values}, ${c.cur_cap ?? 'inf'}))`,
          },
        },
      );
      const f = await drift(model, 'x', { ecdf: 'buckets' });
      expect(Math.abs(f.statistics.ks_statistic! - c.ks_statistic)).toBeLessThan(1e-3);
    }, 300_000);
  }
});

describe('4. bucket-mode Wasserstein on a heavy tail, next to the 0.1 line', () => {
  const cases = fixtures.heavy_tail as {
    name: string;
    n: number;
    alpha: number;
    scale: number;
    cap: number;
    wasserstein_norm: number;
  }[];
  for (const c of cases) {
    it(`${c.name}: within its error bound of the line, so computed exactly (scipy, 1e-9 relative)`, async () => {
      const model = `tail-${c.name.replaceAll('_', '-')}`;
      const values = quantiles(c.n, (u) => `pow(1 - ${u}, -1 / ${c.alpha})`);
      await insert(
        model,
        { n: c.n, m: c.n },
        {
          num: { x: `if(side = 0, ${values}, least(round(${values} * ${c.scale}, 6), ${c.cap}))` },
        },
      );
      const f = await drift(model, 'x', { ecdf: 'buckets' });
      expect(f.method).toBe('wasserstein');
      expect(Math.abs(f.value! - c.wasserstein_norm) / c.wasserstein_norm).toBeLessThan(1e-9);
      expect(f.drift).toBe(false);
    }, 120_000);
  }
});

describe('5. calibrated thresholds see drift confined to the tail', () => {
  const [c] = fixtures.auto_bins as {
    name: string;
    n: number;
    bins: number;
    js_on_auto_bins: number;
    js_on_deciles: number;
  }[];
  it("bins by numpy's 'auto' rule (NannyML's): the top 1% moved 3× further out drifts", async () => {
    const values = quantiles(c!.n, exponential);
    // the top 1% of the reference's values: numbers from 0.99 n on (the values rise with number)
    await insert(
      'tail-calibrated',
      { n: c!.n, m: c!.n },
      {
        num: {
          x: `if(side = 1 AND number >= ${0.99 * c!.n}, round(${values} * 3, 6), ${values})`,
        },
      },
    );
    const f = await drift('tail-calibrated', 'x', { calibrate: true });
    expect(f.method).toBe('jensen_shannon');
    expect(f.threshold_calibrated).toBe(true);
    // the deciles cannot see it: numpy's JS on them is 0
    expect(c!.js_on_deciles).toBe(0);
    expect(Math.abs(f.value! - c!.js_on_auto_bins) / c!.js_on_auto_bins).toBeLessThan(1e-9);
    expect(f.value!).toBeGreaterThan(f.threshold);
    expect(f.drift).toBe(true);
  });
});

describe('6. the KS p-value where the verdict reads it', () => {
  it('800 reference × 50,000 window values: buckets give the exact D and p (1e-3 relative)', async () => {
    // A small reference has fewer rows than buckets: each value is a point mass with a bucket of
    // its own, so D is exact at every step; p is scipy's kstwo at round(nm/(n+m)).
    await insert(
      'ks-small-reference',
      { n: 800, m: 50_000 },
      {
        num: {
          x: `if(side = 0, ${quantiles(800, exponential)}, round(${quantiles(50_000, exponential)} * 1.1, 6))`,
        },
      },
    );
    const exact = await drift('ks-small-reference', 'x', { ecdf: 'exact' });
    const buckets = await drift('ks-small-reference', 'x', { ecdf: 'buckets' });
    expect(exact.method).toBe('ks');
    expect(buckets.statistics.ks_statistic).toBeCloseTo(exact.statistics.ks_statistic!, 12);
    const p = exact.statistics.ks_p_value!;
    expect(Math.abs(buckets.statistics.ks_p_value! - p) / p).toBeLessThan(1e-3);
    expect(buckets.drift).toBe(exact.drift);
  });
});
