import { Tables, type Store } from '@osprey/db';
import {
  categoryCountsSql,
  numericPairs,
  PREDICTION_KEY,
  withChunks,
  type RowSet,
} from '../sql/rows';
import { addBuckets, emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { bucketCounts, gridOf } from './buckets-sql';
import { autoBinEdges } from './auto-bins';
import { FEW_VALUES, fewValueCounts } from './few-values';
import { pointMasses, withPointMasses } from './point-masses';
import type { Reference } from './resolve';
import { hellinger, jensenShannon, lInfinity, proportions, psi } from '../drift/statistics';

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
const PROFILE_FORMAT = 8;

/**
 * The deciles are exact up to this many reference rows and taken from a random sample of that
 * many rows above (exact quantiles hold every value in memory: 75M values for 1M rows × 75
 * features). Counts against the edges stay exact either way.
 */
const EDGE_SAMPLE_ROWS = 200_000;

/** Parts of the reference whose distances to the whole calibrate thresholds (NannyML-style). */
export const CALIBRATION_CHUNKS = 10;

/** Mean and standard deviation of a binned distance between reference parts and the whole. */
export type Calibration = Partial<
  Record<'psi' | 'jensen_shannon' | 'hellinger' | 'l_infinity', { mean: number; std: number }>
>;

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
   * distances and their calibration are computed instead of the deciles.
   */
  auto_edges?: number[];
  /** Counts per value when the reference has at most FEW_VALUES distinct values (keys: numbers). */
  values?: Record<string, number>;
  calibration?: Calibration;
}

export interface CategoricalProfile {
  kind: 'categorical' | 'binary';
  n: number;
  counts: Record<string, number>;
  calibration?: Calibration;
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
  /** Whether the features carry calibration (computed only once a model asks for it). */
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
  const [{ n }] = (await store.query<{ n: string }>(
    `SELECT count() AS n FROM (${ref.rows.sql})`,
    ref.rows.params,
  )) as [{ n: string }];
  const rows = Number(n);
  const stored =
    (opts.feature !== undefined
      ? await loadProfile(store, model, ref.key, opts.feature)
      : undefined) ?? (await loadProfile(store, model, ref.key));
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
  const chunks = calibrate ? CALIBRATION_CHUNKS : 1;
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
  // For calibration, counted in CALIBRATION_CHUNKS parts (split by a hash of the row): summed, the
  // reference's own counts; apart, how much the binned distances vary within the reference.
  const [counted, few] = await Promise.all([
    bucketCounts(store, withChunks(rows, chunks), grids),
    fewValueCounts(
      store,
      rows,
      numeric.filter((r) => Number(r.distinct) <= FEW_VALUES).map((r) => r.k),
    ),
  ]);
  // Point masses get buckets of their own: found in the crowded buckets, then those features
  // counted again on the finer grid.
  const masses = await pointMasses(
    store,
    rows,
    grids,
    new Map(
      [...counted].map(([k, parts]) => [
        k,
        parts.reduce(addBuckets, emptyBuckets(grids.get(k)!.length + 1)),
      ]),
    ),
  );
  if (masses.size > 0) {
    for (const [k, values] of masses) grids.set(k, withPointMasses(grids.get(k)!, values));
    const finer = await bucketCounts(
      store,
      withChunks(rows, chunks),
      new Map([...masses.keys()].map((k) => [k, grids.get(k)!])),
    );
    for (const [k, parts] of finer) counted.set(k, parts);
  }
  for (const r of numeric) {
    const grid = grids.get(r.k)!;
    const edges = r.edges;
    const parts = counted.get(r.k)!;
    const buckets = parts.reduce(addBuckets, emptyBuckets(grid.length + 1));
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
      ...(calibrate && calibratedOnAutoBins(grid, autoEdges.get(r.k)!, buckets, parts)),
    });
  }
  for (const [name, c] of await chunkCategoryCounts(store, rows, chunks)) {
    const categories = [...new Set(c.chunks.flatMap((counts) => Object.keys(counts)))].sort();
    const parts = c.chunks.map((counts) => categories.map((k) => counts[k] ?? 0));
    const total = parts.reduce((sum, part) => sum.map((n, i) => n + part[i]!));
    const counts = Object.fromEntries(categories.map((k, i) => [k, total[i]!]));
    keep(name, {
      kind: c.kind,
      n: c.n,
      counts,
      ...(calibrate && { calibration: calibrated(total, parts) }),
    });
  }
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
  const chunked = await chunkCategoryCounts(store, rows, 1);
  return new Map([...chunked].map(([k, c]) => [k, { kind: c.kind, n: c.n, counts: c.chunks[0]! }]));
}

interface ChunkedCategories {
  kind: CategoricalProfile['kind'];
  n: number;
  chunks: Record<string, number>[];
}

/** categoryCounts of each of `chunks` random parts of the rows. */
async function chunkCategoryCounts(
  store: Store,
  rows: RowSet,
  chunks: number,
): Promise<Map<string, ChunkedCategories>> {
  const split = withChunks(rows, chunks);
  const counted = await store.query<{
    chunk: number;
    t: 'c' | 'b';
    k: string;
    v: string;
    n: string;
  }>(
    `SELECT ${split.select} t, k, v, n FROM (${categoryCountsSql(split.rows, split.carry)})`,
    rows.params,
  );
  const out = new Map<string, ChunkedCategories>();
  for (const r of counted) {
    let c = out.get(r.k);
    if (!c) {
      c = {
        kind: r.t === 'b' ? 'binary' : 'categorical',
        n: 0,
        chunks: Array.from({ length: chunks }, () => ({})),
      };
      out.set(r.k, c);
    }
    c.chunks[Number(r.chunk)]![r.v] = Number(r.n);
    c.n += Number(r.n);
  }
  // Two categories make a binary feature, tested with the two-proportion z-test.
  for (const c of out.values()) {
    const categories = new Set(c.chunks.flatMap((counts) => Object.keys(counts)));
    if (categories.size <= 2) c.kind = 'binary';
  }
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

/** A calibrated numeric profile's auto bins and the calibration of the distances on them. */
function calibratedOnAutoBins(
  grid: number[],
  autoEdges: number[],
  buckets: Buckets,
  parts: Buckets[],
): Pick<NumericProfile, 'auto_edges' | 'calibration'> {
  return {
    auto_edges: autoEdges,
    calibration: calibrated(
      decileBins(grid, autoEdges, buckets),
      parts.map((part) => decileBins(grid, autoEdges, part)),
    ),
  };
}

/** How far each non-empty part's distribution lies from the whole's, per binned distance. */
function calibrated(total: number[], parts: number[][]): Calibration {
  const whole = proportions(total);
  const each = parts.filter((p) => p.some((n) => n > 0)).map((p) => proportions(p));
  if (each.length < 2) return {};
  const moments = (f: (p: number[], q: number[]) => number) => {
    const values = each.map((q) => f(whole, q));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
    return { mean, std: Math.sqrt(variance) };
  };
  return {
    psi: moments(psi),
    jensen_shannon: moments(jensenShannon),
    hellinger: moments(hellinger),
    l_infinity: moments(lInfinity),
  };
}
