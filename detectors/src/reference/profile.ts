import { Tables, type Store } from '@osprey/db';
import {
  categoryCountsSql,
  numericPairs,
  PREDICTION_KEY,
  targetKey,
  type RowSet,
} from '../sql/rows';
import type { Buckets } from '../drift/ecdf-sketch';
import { bucketCounts, gridOf } from './buckets-sql';
import { autoBinEdges } from './auto-bins';
import { FEW_VALUES, fewValueCounts } from './few-values';
import { pointMasses, pointMassesOfValues, withPointMasses } from './point-masses';
import {
  bucketsOfValues,
  quantilesOfValues,
  valueCountsOf,
  type ValueCounts,
} from './value-counts';
import { keptForLater, knownOf, referenceRowCount, referenceRowSetsOf } from './known';
import type { Reference, Scope } from './resolve';

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
 * reference's row count changes (a dataset still being uploaded); a previous window's is not
 * (keptForLater).
 */
export interface ReferenceProfile {
  format?: number;
  rows: number;
  /** Whether numeric features carry their 'auto' bins (computed only once a model calibrates). */
  calibrated: boolean;
  features: Map<string, FeatureProfile>;
}

/**
 * References of up to this many rows are profiled from their values (valueCountsOf), a batch's
 * together: a feature's values are then about as many as its fine grid's boundaries (5,000 rows
 * of a 2,000-feature model are 10M values, 80 MB, to read back). Larger ones are profiled one by
 * one in ClickHouse's bucket and point-mass passes, whose answers the grid bounds.
 */
export const PROFILE_BY_VALUE_ROWS = 5_000;

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
  const rows = await referenceRowCount(store, ref);
  const stored =
    (opts.feature !== undefined
      ? await storedProfile(store, model, ref, opts.feature)
      : undefined) ?? (await storedProfile(store, model, ref));
  if (fresh(stored, rows, opts.calibrate)) return stored;
  const profile = (await computeProfiles(store, ref.rows, new Map([['', { rows, ...opts }]]))).get(
    '',
  )!;
  await saveProfiles(store, [{ model, ref, profile }]);
  return profile;
}

/**
 * referenceProfile (whole) of several targets' references (by index), the stored ones read as a
 * batched pass looked them up: those to compute of up to PROFILE_BY_VALUE_ROWS rows together, in
 * shared statements grouped by target per kind of reference (a small reference's cost is mostly
 * the statements' own: a previous window, profiled anew every hour), larger ones one by one; the
 * new profiles stored in one insert.
 */
export async function referenceProfilesOf(
  store: Store,
  items: readonly { scope: Scope; ref: Reference; calibrate: boolean }[],
): Promise<ReferenceProfile[]> {
  const counted = await Promise.all(
    items.map(async (item) => {
      const [rows, stored] = await Promise.all([
        referenceRowCount(store, item.ref),
        storedProfile(store, item.scope.model, item.ref),
      ]);
      return { ...item, rows, stored };
    }),
  );
  const out = counted.map((c) => (fresh(c.stored, c.rows, c.calibrate) ? c.stored : undefined));
  const missing = counted.filter((_, i) => out[i] === undefined);
  const computed = new Map<(typeof missing)[number], ReferenceProfile>();
  for (const item of missing.filter((item) => item.rows > PROFILE_BY_VALUE_ROWS)) {
    const one = await computeProfiles(store, item.ref.rows, new Map([['', item]]));
    computed.set(item, one.get('')!);
  }
  const small = missing.filter((item) => item.rows <= PROFILE_BY_VALUE_ROWS);
  for (const group of referenceRowSetsOf(small)) {
    const of = group.of as readonly (typeof missing)[number][];
    const byTarget = await computeProfiles(
      store,
      group.rows,
      new Map(of.map((item) => [targetKey(item.scope), item])),
    );
    for (const item of of) computed.set(item, byTarget.get(targetKey(item.scope))!);
  }
  await saveProfiles(
    store,
    [...computed].map(([item, profile]) => ({
      model: item.scope.model,
      ref: item.ref,
      profile,
    })),
  );
  return counted.map((c, i) => out[i] ?? computed.get(c)!);
}

/** A stored profile still describes a reference of `rows` rows (and carries what is asked). */
function fresh(
  stored: ReferenceProfile | undefined,
  rows: number,
  calibrate: boolean,
): stored is ReferenceProfile {
  return (
    stored !== undefined &&
    stored.rows === rows &&
    stored.format === PROFILE_FORMAT &&
    (stored.calibrated || !calibrate)
  );
}

/** The stored profile (or its `feature` alone), as a batched pass looked it up or read now. */
async function storedProfile(
  store: Store,
  model: string,
  ref: Reference,
  feature?: string,
): Promise<ReferenceProfile | undefined> {
  if (!keptForLater(ref)) return undefined;
  const known = knownOf(ref);
  return known
    ? profileOf([...known.profiles].map(([name, profile]) => ({ feature: name, profile })))
    : loadProfile(store, model, ref.key, feature);
}

type NumericSummary = {
  target: string;
  k: string;
  n: string;
  mean: number;
  std: number;
  min: number;
  max: number;
  edges: number[];
  quartiles: number[];
  /** A large reference's fine quantiles (a t-digest's); a small one's come from its values. */
  quantiles?: number[];
  distinct: string;
};

/**
 * The profiles of the targets of `rows` (keys of `targets`, with each one's row count and whether
 * it calibrates). One target is counted over `rows` alone (any row set); several, grouped by the
 * row set's `target` column.
 */
async function computeProfiles(
  store: Store,
  rows: RowSet,
  targets: ReadonlyMap<string, { rows: number; calibrate: boolean }>,
): Promise<Map<string, ReferenceProfile>> {
  const keys = [...targets.keys()];
  const single = keys.length === 1;
  const largest = Math.max(1, ...[...targets.values()].map((t) => t.rows));
  // A small reference (all of a batch's) is counted value by value, and its fine quantiles read
  // off those counts; a large one's come from a t-digest.
  const small = largest <= PROFILE_BY_VALUE_ROWS;
  const [summaries, values] = await Promise.all([
    store.query<NumericSummary>(
      // Deciles exact (numpy's "linear") on the edge sample; a large reference's fine grid from a
      // t-digest of the same sample, since exact quantiles at a thousand levels partition the
      // values once per level. The grid needs only to be fine and to hold the deciles: counts
      // against it are exact. (A small reference is smaller than the edge sample: all rows.)
      `SELECT target, k, count() AS n, avg(v) AS mean, stddevPop(v) AS std, min(v) AS min, max(v) AS max,
              uniqUpTo(${FEW_VALUES})(v) AS distinct,
              quantilesExactInclusiveIf(${[...DECILES, 0.25, 0.75].join(', ')})(v, edge_sample) AS exact_quantiles,
              arraySlice(exact_quantiles, 1, ${DECILES.length}) AS edges,
              arraySlice(exact_quantiles, ${DECILES.length + 1}, 2) AS quartiles
              ${small ? '' : `, quantilesTDigestIf(${LEVELS.join(', ')})(v, edge_sample) AS quantiles`}
       FROM (${numericPairs(
         {
           sql: `SELECT *, randCanonical() < {edge_fraction:Float64} AS edge_sample FROM (${rows.sql})`,
           params: rows.params,
         },
         `${single ? `'' AS target` : 'target'}, edge_sample,`,
       )})
       GROUP BY target, k`,
      { ...rows.params, edge_fraction: Math.min(1, EDGE_SAMPLE_ROWS / largest) },
    ),
    small
      ? valueCountsOf(store, rows, new Map([...targets].map(([t, { rows: n }]) => [t, n])))
      : undefined,
  ]);
  const numeric = new Map(keys.map((t) => [t, [] as NumericSummary[]]));
  for (const r of summaries) numeric.get(single ? keys[0]! : r.target)?.push(r);
  const valuesOf = (target: string, k: string) =>
    values?.get(target)?.get(k) ?? { values: [], counts: [] };
  const autoEdges = new Map<string, Map<string, number[]>>();
  const grids = new Map<string, Map<string, number[]>>();
  for (const [target, list] of numeric) {
    const calibrate = targets.get(target)!.calibrate;
    const step = Math.min(5, Math.ceil((list.length * FINE_QUANTILES) / GRID_BUDGET));
    const thinned = (q: number[]) => q.filter((_, i) => i % step === 0 || i >= FINE_QUANTILES);
    const auto = new Map(
      list.map((r) => [
        r.k,
        calibrate ? autoBinEdges(Number(r.n), r.min, r.max, r.quartiles[0]!, r.quartiles[1]!) : [],
      ]),
    );
    autoEdges.set(target, auto);
    const quantiles = (r: NumericSummary) =>
      r.quantiles ?? quantilesOfValues(valuesOf(target, r.k), LEVELS);
    grids.set(
      target,
      new Map(
        list.map((r) => [r.k, gridOf([...r.edges, ...auto.get(r.k)!, ...thinned(quantiles(r))])]),
      ),
    );
  }
  const { counted, few } = small
    ? countedByValue(numeric, grids, valuesOf)
    : await countedInBuckets(store, rows, keys[0]!, numeric, grids);
  const categories = single
    ? new Map([[keys[0]!, await categoryCounts(store, rows)]])
    : await categoryCountsOf(store, rows);
  const out = new Map<string, ReferenceProfile>();
  for (const [target, { rows: count, calibrate }] of targets) {
    const features = new Map<string, FeatureProfile>();
    const keep = (name: string, p: FeatureProfile) => {
      // A name logged with values of two types keeps the type most of its values have.
      const seen = features.get(name);
      if (!seen || seen.n < p.n) features.set(name, p);
    };
    for (const r of numeric.get(target)!) {
      const grid = grids.get(target)!.get(r.k)!;
      const buckets = counted.get(target)!.get(r.k)!;
      const values = few.get(target)?.get(r.k);
      keep(r.k, {
        kind: 'numeric',
        n: Number(r.n),
        mean: r.mean,
        std: r.std,
        min: r.min,
        max: r.max,
        edges: r.edges,
        bin_counts: decileBins(grid, r.edges, buckets),
        grid,
        buckets,
        ...(values && { values }),
        ...(calibrate && { auto_edges: autoEdges.get(target)!.get(r.k)! }),
      });
    }
    for (const [name, c] of categories.get(target) ?? []) keep(name, c);
    out.set(target, { format: PROFILE_FORMAT, rows: count, calibrated: calibrate, features });
  }
  return out;
}

type Counted = {
  counted: Map<string, Map<string, Buckets>>;
  few: Map<string, Map<string, Record<string, number>>>;
};

/**
 * A small reference's numeric features worked out from their value counts (valueCountsOf): the
 * buckets of each grid, the point masses (`grids` refined in place), the few-valued features'
 * values.
 */
function countedByValue(
  numeric: ReadonlyMap<string, NumericSummary[]>,
  grids: Map<string, Map<string, number[]>>,
  valuesOf: (target: string, k: string) => ValueCounts,
): Counted {
  const counted = new Map<string, Map<string, Buckets>>();
  const few = new Map<string, Map<string, Record<string, number>>>();
  for (const [target, list] of numeric) {
    const g = grids.get(target)!;
    const buckets = new Map<string, Buckets>();
    const fewValues = new Map<string, Record<string, number>>();
    for (const r of list) {
      const c = valuesOf(target, r.k);
      let b = bucketsOfValues(c, g.get(r.k)!);
      const masses = pointMassesOfValues(g.get(r.k)!, b, c);
      if (masses.length > 0) {
        g.set(r.k, withPointMasses(g.get(r.k)!, masses));
        b = bucketsOfValues(c, g.get(r.k)!);
      }
      buckets.set(r.k, b);
      if (Number(r.distinct) <= FEW_VALUES)
        fewValues.set(r.k, Object.fromEntries(c.values.map((v, i) => [String(v), c.counts[i]!])));
    }
    counted.set(target, buckets);
    few.set(target, fewValues);
  }
  return { counted, few };
}

/**
 * A large reference's (one target's) numeric features counted into their grids' buckets in
 * ClickHouse, the point masses searched for in the crowded buckets, and the features that have
 * some counted again on their refined grids (`grids` refined in place).
 */
async function countedInBuckets(
  store: Store,
  rows: RowSet,
  target: string,
  numeric: ReadonlyMap<string, NumericSummary[]>,
  grids: Map<string, Map<string, number[]>>,
): Promise<Counted> {
  const g = grids.get(target)!;
  const [counted, few] = await Promise.all([
    bucketCounts(store, rows, g),
    fewValueCounts(
      store,
      rows,
      numeric
        .get(target)!
        .filter((r) => Number(r.distinct) <= FEW_VALUES)
        .map((r) => r.k),
    ),
  ]);
  const masses = await pointMasses(store, rows, g, counted);
  if (masses.size > 0) {
    for (const [k, values] of masses) g.set(k, withPointMasses(g.get(k)!, values));
    const finer = await bucketCounts(
      store,
      rows,
      new Map([...masses.keys()].map((k) => [k, g.get(k)!])),
    );
    for (const [k, buckets] of finer) counted.set(k, buckets);
  }
  return { counted: new Map([[target, counted]]), few: new Map([[target, few]]) };
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

/** New profiles, in one insert (those kept for later, of references with rows). */
async function saveProfiles(
  store: Store,
  profiles: readonly { model: string; ref: Reference; profile: ReferenceProfile }[],
): Promise<void> {
  const rows = profiles
    .filter(({ ref, profile }) => keptForLater(ref) && profile.rows > 0)
    .flatMap(({ model, ref, profile }) =>
      [...profile.features].map(([feature, p]) => ({
        model,
        reference_key: ref.key,
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
  if (rows.length > 0) await store.insert(Tables.referenceProfiles, rows);
}
