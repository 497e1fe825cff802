import { Tables, type Store } from '@osprey/db';
import { categoryCountsSql, numericPairs, PREDICTION_KEY, type RowSet } from '../sql/rows';
import type { Buckets } from '../drift/ecdf-sketch';
import { bucketCounts, gridOf } from './buckets-sql';
import { autoBinEdges } from './auto-bins';
import { FEW_VALUES, fewValueCounts } from './few-values';
import { pointMasses, withPointMasses } from './point-masses';
import { knownOf, referenceRowCount } from './known';
import type { Reference } from './resolve';

/**
 * Each numeric feature's reference is cut at up to this many quantiles: the fine buckets that KS
 * and Wasserstein are computed on (drift/ecdf-sketch.ts). The deciles, the bins of the binned
 * statistics (PSI, Jensen–Shannon, Hellinger), are boundaries too, so one pass counts both.
 */
export const FINE_QUANTILES = 1000;
/**
 * Boundaries of all features together at most (about): the window's pass binary-searches one
 * array of them and groups by them, and both slow down as they outgrow the CPU caches (measured:
 * 76 features × 1,000 buckets cost 1.6× the CPU of 76 × 400; 16 features × 500 cost 12% less
 * than 16 × 1,000 per report). Features get fewer buckets each as they grow in number — 1,000 up
 * to 8, 500 for 16, at least 200 — and KS stays within about one bucket's mass of the exact one.
 */
const GRID_BUDGET = 8_000;
/**
 * Levels finer than a thousandth at both ends, kept however thin the grid: a heavy tail's top
 * thousandth spans most of its range, and the Wasserstein distance's error bound grows with the
 * span of the buckets where the two CDFs cross (drift/ecdf-sketch.ts).
 */
const TAIL_LEVELS = [0.00001, 0.0001, 0.0005, 0.9995, 0.9999, 0.99999];
const LEVELS = [
  ...Array.from({ length: FINE_QUANTILES + 1 }, (_, i) => i / FINE_QUANTILES),
  ...TAIL_LEVELS,
];
export const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Stored profiles of another format are recomputed. */
const PROFILE_FORMAT = 9;

/**
 * The deciles are exact up to this many reference rows and taken from a random sample of that
 * many rows above (exact quantiles hold every value in memory: 75M values for 1M rows × 75
 * features). Counts against the edges stay exact either way.
 */
const EDGE_SAMPLE_ROWS = 200_000;

export interface NumericProfile {
  kind: 'numeric';
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Reference deciles (numpy's default "linear" quantiles); bin i holds edges[i-1] <= x < edges[i]. */
  edges: number[];
  bin_counts: number[];
  /** Fine bucket boundaries (distinct reference quantiles), the reference counted into them. */
  grid: number[];
  buckets: Buckets;
  /**
   * Calibrated profiles: the inner edges of numpy's 'auto' bins (NannyML's), on which the binned
   * distances and their calibrated thresholds are computed instead of the deciles.
   */
  auto_edges?: number[];
  /** Counts per value when the reference has at most FEW_VALUES distinct values (keys: numbers). */
  values?: Record<string, number>;
}

export interface CategoricalProfile {
  kind: 'categorical' | 'binary';
  n: number;
  counts: Record<string, number>;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

/**
 * A reference summarised once: per feature (key '' is the prediction), what every window's
 * binned and categorical statistics need. Stored in reference_profiles and reused until the
 * reference's row count changes (a dataset still being uploaded).
 */
export interface ReferenceProfile {
  format?: number;
  rows: number;
  /** Whether numeric features carry their 'auto' bins (computed only once a model calibrates). */
  calibrated: boolean;
  features: Map<string, FeatureProfile>;
}

/**
 * The reference's profile, stored or computed. `feature` asks for that one feature only (a
 * model may have thousands, each stored profile holding a fine grid): the stored profile is then
 * read for it alone, and the whole one is computed only when none is stored.
 */
export async function referenceProfile(
  store: Store,
  model: string,
  ref: Reference,
  opts: { calibrate: boolean; feature?: string },
): Promise<ReferenceProfile> {
  const known = knownOf(ref);
  const rows = await referenceRowCount(store, ref);
  const stored = known
    ? profileOf([...known.profiles].map(([feature, profile]) => ({ feature, profile })))
    : ((opts.feature !== undefined
        ? await loadProfile(store, model, ref.key, opts.feature)
        : undefined) ?? (await loadProfile(store, model, ref.key)));
  if (
    stored &&
    stored.rows === rows &&
    stored.format === PROFILE_FORMAT &&
    (stored.calibrated || !opts.calibrate)
  )
    return stored;
  const profile = {
    format: PROFILE_FORMAT,
    ...(await computeProfile(store, ref.rows, rows, opts.calibrate)),
  };
  if (rows > 0) await saveProfile(store, model, ref.key, profile);
  return profile;
}

async function computeProfile(
  store: Store,
  rows: RowSet,
  count: number,
  calibrate: boolean,
): Promise<ReferenceProfile> {
  const features = new Map<string, FeatureProfile>();
  const keep = (name: string, p: FeatureProfile) => {
    // A name logged with values of two types keeps the type most of its values have.
    const seen = features.get(name);
    if (!seen || seen.n < p.n) features.set(name, p);
  };
  const numeric = await store.query<{
    k: string;
    n: string;
    mean: number;
    std: number;
    min: number;
    max: number;
    edges: number[];
    quartiles: number[];
    quantiles: number[];
    distinct: string;
  }>(
    // Deciles exact (numpy's "linear") on the edge sample; the fine grid from a t-digest of the
    // same sample, since exact quantiles at a thousand levels partition the values once per
    // level. The grid needs only to be fine and to hold the deciles: counts against it are exact.
    `SELECT k, count() AS n, avg(v) AS mean, stddevPop(v) AS std, min(v) AS min, max(v) AS max,
            uniqUpTo(${FEW_VALUES})(v) AS distinct,
            quantilesExactInclusiveIf(${[...DECILES, 0.25, 0.75].join(', ')})(v, edge_sample) AS exact_quantiles,
            arraySlice(exact_quantiles, 1, ${DECILES.length}) AS edges,
            arraySlice(exact_quantiles, ${DECILES.length + 1}, 2) AS quartiles,
            quantilesTDigestIf(${LEVELS.join(', ')})(v, edge_sample) AS quantiles
     FROM (${numericPairs(
       {
         sql: `SELECT *, randCanonical() < {edge_fraction:Float64} AS edge_sample FROM (${rows.sql})`,
         params: rows.params,
       },
       'edge_sample,',
     )})
     GROUP BY k`,
    { ...rows.params, edge_fraction: Math.min(1, EDGE_SAMPLE_ROWS / Math.max(1, count)) },
  );
  const step = Math.min(5, Math.ceil((numeric.length * FINE_QUANTILES) / GRID_BUDGET));
  const thinned = (q: number[]) => q.filter((_, i) => i % step === 0 || i >= FINE_QUANTILES);
  const autoEdges = new Map(
    numeric.map((r) => [
      r.k,
      calibrate ? autoBinEdges(Number(r.n), r.min, r.max, r.quartiles[0]!, r.quartiles[1]!) : [],
    ]),
  );
  const grids = new Map(
    numeric.map((r) => [
      r.k,
      gridOf([...r.edges, ...autoEdges.get(r.k)!, ...thinned(r.quantiles)]),
    ]),
  );
  const [counted, few] = await Promise.all([
    bucketCounts(store, rows, grids),
    fewValueCounts(
      store,
      rows,
      numeric.filter((r) => Number(r.distinct) <= FEW_VALUES).map((r) => r.k),
    ),
  ]);
  // Point masses get buckets of their own: found in the crowded buckets, then those features
  // counted again on the finer grid.
  const masses = await pointMasses(store, rows, grids, counted);
  if (masses.size > 0) {
    for (const [k, values] of masses) grids.set(k, withPointMasses(grids.get(k)!, values));
    const finer = await bucketCounts(
      store,
      rows,
      new Map([...masses.keys()].map((k) => [k, grids.get(k)!])),
    );
    for (const [k, buckets] of finer) counted.set(k, buckets);
  }
  for (const r of numeric) {
    const grid = grids.get(r.k)!;
    const edges = r.edges;
    const buckets = counted.get(r.k)!;
    const total = decileBins(grid, edges, buckets);
    keep(r.k, {
      kind: 'numeric',
      n: Number(r.n),
      mean: r.mean,
      std: r.std,
      min: r.min,
      max: r.max,
      edges,
      bin_counts: total,
      grid,
      buckets,
      ...(few.has(r.k) && { values: few.get(r.k)! }),
      ...(calibrate && { auto_edges: autoEdges.get(r.k)! }),
    });
  }
  for (const [name, c] of await categoryCounts(store, rows)) keep(name, c);
  return { rows: count, calibrated: calibrate, features };
}

/**
 * Rows per decile bin, from counts per fine bucket: a bucket lies in the bin of its lower
 * boundary (every decile is a boundary of the grid; bucket 0, below the grid, is below them all).
 */
export function decileBins(grid: number[], edges: number[], buckets: Buckets): number[] {
  const bins = new Array<number>(edges.length + 1).fill(0);
  bins[0]! += buckets.counts[0]!;
  for (let i = 1; i < buckets.counts.length; i++) {
    const lower = grid[i - 1]!;
    bins[edges.filter((e) => e <= lower).length]! += buckets.counts[i]!;
  }
  return bins;
}

/** Counts per category of each categorical and boolean feature (and of a label prediction). */
export async function categoryCounts(
  store: Store,
  rows: RowSet,
): Promise<Map<string, CategoricalProfile>> {
  const counted = await store.query<CategoryRow>(
    `SELECT t, k, v, n FROM (${categoryCountsSql(rows)})`,
    rows.params,
  );
  return categoryProfiles(counted);
}

/** categoryCounts per model of a row set of several models, in one statement. */
export async function categoryCountsOf(
  store: Store,
  rows: RowSet,
): Promise<Map<string, Map<string, CategoricalProfile>>> {
  const counted = await store.query<CategoryRow & { m: string }>(
    `SELECT m, t, k, v, n FROM (${categoryCountsSql(rows, { byModel: true })})`,
    rows.params,
  );
  const byModel = new Map<string, CategoryRow[]>();
  for (const r of counted) {
    const list = byModel.get(r.m) ?? [];
    list.push(r);
    byModel.set(r.m, list);
  }
  return new Map([...byModel].map(([m, list]) => [m, categoryProfiles(list)]));
}

type CategoryRow = { t: 'c' | 'b'; k: string; v: string; n: string };

function categoryProfiles(counted: readonly CategoryRow[]): Map<string, CategoricalProfile> {
  const out = new Map<string, CategoricalProfile>();
  for (const r of counted) {
    let c = out.get(r.k);
    if (!c) {
      c = { kind: r.t === 'b' ? 'binary' : 'categorical', n: 0, counts: {} };
      out.set(r.k, c);
    }
    c.counts[r.v] = Number(r.n);
    c.n += Number(r.n);
  }
  // Two categories make a binary feature, tested with the two-proportion z-test.
  for (const c of out.values()) if (Object.keys(c.counts).length <= 2) c.kind = 'binary';
  return out;
}

async function loadProfile(
  store: Store,
  model: string,
  key: string,
  feature?: string,
): Promise<ReferenceProfile | undefined> {
  const rows = await store.query<{ feature: string; profile: string }>(
    `SELECT feature, argMax(profile, computed_at) AS profile FROM ${Tables.referenceProfiles}
     WHERE model = {model:String} AND reference_key = {key:String}
       ${feature === undefined ? '' : 'AND feature = {feature:String}'}
     GROUP BY target, feature`,
    { model, key, feature: feature ?? '' },
  );
  return profileOf(rows);
}

/** A stored profile from its rows (one per feature); undefined when none is stored. */
function profileOf(
  rows: readonly { feature: string; profile: string }[],
): ReferenceProfile | undefined {
  if (rows.length === 0) return undefined;
  const features = new Map<string, FeatureProfile>();
  let count = -1;
  let format: number | undefined;
  let calibrated = false;
  for (const r of rows) {
    const stored = JSON.parse(r.profile) as FeatureProfile & {
      rows: number;
      format?: number;
      calibrated?: boolean;
    };
    const { rows: n, format: f, calibrated: c, ...profile } = stored;
    count = n;
    format = f;
    calibrated = c ?? false;
    features.set(r.feature, profile);
  }
  return { format, rows: count, calibrated, features };
}

async function saveProfile(
  store: Store,
  model: string,
  key: string,
  profile: ReferenceProfile,
): Promise<void> {
  await store.insert(
    Tables.referenceProfiles,
    [...profile.features].map(([feature, p]) => ({
      model,
      reference_key: key,
      target: feature === PREDICTION_KEY ? 'prediction' : 'feature',
      feature,
      kind: p.kind,
      profile: JSON.stringify({
        ...p,
        rows: profile.rows,
        format: PROFILE_FORMAT,
        calibrated: profile.calibrated,
      }),
    })),
  );
}
