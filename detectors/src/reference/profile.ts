import { Tables, type Store } from '@osprey/db';
import { categoricalPairs, numericPairs, PREDICTION_KEY, type RowSet } from '../sql/rows';
import type { Reference } from './resolve';
import { hellinger, jensenShannon, lInfinity, proportions, psi } from '../drift/statistics';

export const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

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
  rows: number;
  features: Map<string, FeatureProfile>;
}

export async function referenceProfile(
  store: Store,
  model: string,
  ref: Reference,
): Promise<ReferenceProfile> {
  const [{ n }] = (await store.query<{ n: string }>(
    `SELECT count() AS n FROM (${ref.rows.sql})`,
    ref.rows.params,
  )) as [{ n: string }];
  const rows = Number(n);
  const stored = await loadProfile(store, model, ref.key);
  if (stored && stored.rows === rows) return stored;
  const profile = await computeProfile(store, ref.rows, rows);
  if (rows > 0) await saveProfile(store, model, ref.key, profile);
  return profile;
}

async function computeProfile(
  store: Store,
  rows: RowSet,
  count: number,
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
  }>(
    `SELECT k, count() AS n, avg(v) AS mean, stddevPop(v) AS std, min(v) AS min, max(v) AS max,
            quantilesExactInclusiveIf(${DECILES.join(', ')})(v, edge_sample) AS edges
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
  const edges = new Map(numeric.map((r) => [r.k, r.edges]));
  // Counted in CALIBRATION_CHUNKS parts (split by a hash of the row): summed, the reference's own counts; apart, how
  // much the binned distances vary within the reference (calibrated thresholds).
  const bins = await chunkBinCounts(store, rows, edges, CALIBRATION_CHUNKS);
  for (const r of numeric) {
    const parts = bins.get(r.k)!;
    const total = parts.reduce((sum, part) => sum.map((n, i) => n + part[i]!));
    keep(r.k, {
      kind: 'numeric',
      n: Number(r.n),
      mean: r.mean,
      std: r.std,
      min: r.min,
      max: r.max,
      edges: r.edges,
      bin_counts: total,
      calibration: calibrate(total, parts),
    });
  }
  for (const [name, c] of await chunkCategoryCounts(store, rows, CALIBRATION_CHUNKS)) {
    const categories = [...new Set(c.chunks.flatMap((counts) => Object.keys(counts)))].sort();
    const parts = c.chunks.map((counts) => categories.map((k) => counts[k] ?? 0));
    const total = parts.reduce((sum, part) => sum.map((n, i) => n + part[i]!));
    const counts = Object.fromEntries(categories.map((k, i) => [k, total[i]!]));
    keep(name, { kind: c.kind, n: c.n, counts, calibration: calibrate(total, parts) });
  }
  return { rows: count, features };
}

/**
 * Rows per bin of each numeric feature, against the given edges (DECILES.length per feature). The
 * bin is a sum of comparisons with edges looked up by position in one flat constant array, so
 * ClickHouse never builds an array per value.
 */
export async function binCounts(
  store: Store,
  rows: RowSet,
  edges: Map<string, number[]>,
): Promise<Map<string, number[]>> {
  const chunked = await chunkBinCounts(store, rows, edges, 1);
  return new Map([...chunked].map(([k, chunks]) => [k, chunks[0]!]));
}

/** binCounts of each of `chunks` random parts of the rows. */
async function chunkBinCounts(
  store: Store,
  rows: RowSet,
  edges: Map<string, number[]>,
  chunks: number,
): Promise<Map<string, number[][]>> {
  const keys = [...edges.keys()];
  const empty = () =>
    Array.from({ length: chunks }, () => new Array<number>(DECILES.length + 1).fill(0));
  const out = new Map(keys.map((k) => [k, empty()]));
  if (keys.length === 0) return out;
  const bin = DECILES.map(
    (_, j) =>
      `(v >= arrayElement({bin_edges:Array(Float64)}, (idx - 1) * ${DECILES.length} + ${j + 1}))`,
  ).join(' + ');
  const split = withChunks(rows, chunks);
  const counted = await store.query<{ chunk: number; idx: number; bin: string; n: string }>(
    `SELECT ${split.select} idx, ${bin} AS bin, count() AS n
     FROM (
       SELECT ${split.carry} v, transform(k, {bin_keys:Array(String)}, {bin_index:Array(UInt32)}, toUInt32(0)) AS idx
       FROM (${numericPairs(split.rows, split.carry)})
     )
     WHERE idx > 0 GROUP BY ${split.carry} idx, bin`,
    {
      ...rows.params,
      bin_keys: keys,
      bin_index: keys.map((_, i) => i + 1),
      bin_edges: keys.flatMap((k) => edges.get(k)!),
    },
  );
  for (const r of counted) {
    out.get(keys[Number(r.idx) - 1]!)![Number(r.chunk)]![Number(r.bin)] = Number(r.n);
  }
  return out;
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
    `SELECT ${split.select} t, k, v, count() AS n FROM (${categoricalPairs(split.rows, split.carry)})
     GROUP BY ${split.carry} t, k, v`,
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

/**
 * The rows split into `chunks` parts by a hash of the whole row, so the same reference always
 * splits (and calibrates) the same way: `carry` passes the part number through the pairs and the
 * grouping, `select` names it in the result. One part adds nothing to the windows' counts.
 */
function withChunks(rows: RowSet, chunks: number): { rows: RowSet; carry: string; select: string } {
  if (chunks === 1) return { rows, carry: '', select: '0 AS chunk,' };
  return {
    rows: {
      sql: `SELECT *, toUInt32(cityHash64(tuple(*)) % ${chunks}) AS chunk FROM (${rows.sql})`,
      params: rows.params,
    },
    carry: 'chunk,',
    select: 'chunk,',
  };
}

async function loadProfile(
  store: Store,
  model: string,
  key: string,
): Promise<ReferenceProfile | undefined> {
  const rows = await store.query<{ feature: string; profile: string }>(
    `SELECT feature, argMax(profile, computed_at) AS profile FROM ${Tables.referenceProfiles}
     WHERE model = {model:String} AND reference_key = {key:String}
     GROUP BY target, feature`,
    { model, key },
  );
  if (rows.length === 0) return undefined;
  const features = new Map<string, FeatureProfile>();
  let count = -1;
  for (const r of rows) {
    const { rows: n, ...profile } = JSON.parse(r.profile) as FeatureProfile & { rows: number };
    count = n;
    features.set(r.feature, profile);
  }
  return { rows: count, features };
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
      profile: JSON.stringify({ ...p, rows: profile.rows }),
    })),
  );
}

/** How far each non-empty part's distribution lies from the whole's, per binned distance. */
function calibrate(total: number[], parts: number[][]): Calibration {
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
