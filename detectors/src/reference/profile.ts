import { Tables, type Store } from '@osprey/db';
import { categoricalPairs, numericPairs, PREDICTION_KEY, type RowSet } from '../sql/rows';
import type { Reference } from './resolve';

export const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

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
            quantilesExactInclusive(${DECILES.join(', ')})(v) AS edges
     FROM (${numericPairs(rows)}) GROUP BY k`,
    rows.params,
  );
  const edges = new Map(numeric.map((r) => [r.k, r.edges]));
  const bins = await binCounts(store, rows, edges);
  for (const r of numeric) {
    keep(r.k, {
      kind: 'numeric',
      n: Number(r.n),
      mean: r.mean,
      std: r.std,
      min: r.min,
      max: r.max,
      edges: r.edges,
      bin_counts: bins.get(r.k) ?? new Array<number>(r.edges.length + 1).fill(0),
    });
  }
  for (const [name, p] of await categoryCounts(store, rows)) keep(name, p);
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
  const keys = [...edges.keys()];
  const out = new Map(keys.map((k) => [k, new Array<number>(DECILES.length + 1).fill(0)]));
  if (keys.length === 0) return out;
  const bin = DECILES.map(
    (_, j) =>
      `(v >= arrayElement({bin_edges:Array(Float64)}, (idx - 1) * ${DECILES.length} + ${j + 1}))`,
  ).join(' + ');
  const counted = await store.query<{ idx: number; bin: string; n: string }>(
    `SELECT idx, ${bin} AS bin, count() AS n
     FROM (
       SELECT v, transform(k, {bin_keys:Array(String)}, {bin_index:Array(UInt32)}, toUInt32(0)) AS idx
       FROM (${numericPairs(rows)})
     )
     WHERE idx > 0 GROUP BY idx, bin`,
    {
      ...rows.params,
      bin_keys: keys,
      bin_index: keys.map((_, i) => i + 1),
      bin_edges: keys.flatMap((k) => edges.get(k)!),
    },
  );
  for (const r of counted) out.get(keys[Number(r.idx) - 1]!)![Number(r.bin)] = Number(r.n);
  return out;
}

/** Counts per category of each categorical and boolean feature (and of a label prediction). */
export async function categoryCounts(
  store: Store,
  rows: RowSet,
): Promise<Map<string, CategoricalProfile>> {
  const counted = await store.query<{ t: 'c' | 'b'; k: string; v: string; n: string }>(
    `SELECT t, k, v, count() AS n FROM (${categoricalPairs(rows)}) GROUP BY t, k, v`,
    rows.params,
  );
  const out = new Map<string, CategoricalProfile>();
  for (const r of counted) {
    let p = out.get(r.k);
    if (!p) out.set(r.k, (p = { kind: r.t === 'b' ? 'binary' : 'categorical', n: 0, counts: {} }));
    p.counts[r.v] = Number(r.n);
    p.n += Number(r.n);
  }
  // Two categories make a binary feature, tested with the two-proportion z-test.
  for (const p of out.values()) if (Object.keys(p.counts).length <= 2) p.kind = 'binary';
  return out;
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
