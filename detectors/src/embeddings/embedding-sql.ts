import { Tables, type QueryParams, type Store } from '@osprey/db';
import type { Reference, Scope } from '../reference/resolve';
import type { RowSet } from '../sql/rows';
import { vectorsOf, type Vectors } from './vectors';

/** Equal-width bins per component on the reference's [min, max], plus one below and one above. */
export const BINS = 168;
const SLOTS = BINS + 2;
/** Rows sampled per side for the methods that need rows (mean bootstrap, MMD, classifier). */
export const SAMPLE_ROWS = 2_000;
/** The sample's seed: the same rows every time for the same data. */
const SAMPLE_SEED = 18;

/** One embedding's vectors in the window: prediction_embeddings of the model, name and range. */
export function windowEmbeddings(prefix: string, scope: Scope, name: string): RowSet {
  return predictionEmbeddings(prefix, scope, name, scope.window.from, scope.window.to);
}

/** The reference's vectors of one embedding: the dataset's reference_embeddings, or a range of predictions. */
export function referenceEmbeddings(ref: Reference, scope: Scope, name: string): RowSet {
  if (ref.source === 'dataset') {
    return {
      sql: `SELECT vector FROM ${Tables.referenceEmbeddings}
            WHERE model = {ref_model:String} AND reference_id = {ref_id:String} AND name = {ref_name:String}`,
      params: { ref_model: scope.model, ref_id: ref.detail.reference_id!, ref_name: name },
    };
  }
  const from = Date.parse(ref.detail.from!);
  const to = Date.parse(ref.detail.to!);
  return predictionEmbeddings('ref', scope, name, from, to);
}

function predictionEmbeddings(
  prefix: string,
  scope: Scope,
  name: string,
  from: number,
  to: number,
): RowSet {
  const p = (n: string) => `${prefix}_${n}`;
  const where = [
    `model = {${p('model')}:String}`,
    `name = {${p('name')}:String}`,
    `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
    `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
  ];
  const params: QueryParams = {
    [p('model')]: scope.model,
    [p('name')]: name,
    [p('from')]: from,
    [p('to')]: to,
  };
  if (scope.version !== undefined) {
    where.push(`version = {${p('version')}:String}`);
    params[p('version')] = scope.version;
  }
  return {
    sql: `SELECT vector FROM ${Tables.predictionEmbeddings} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/** The embedding names logged in the window, in name order. */
export async function windowEmbeddingNames(store: Store, scope: Scope): Promise<string[]> {
  const rows = await store.query<{ name: string }>(
    `SELECT DISTINCT name FROM ${Tables.predictionEmbeddings}
     WHERE model = {model:String}
       AND timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       ${scope.version !== undefined ? 'AND version = {version:String}' : ''}
     ORDER BY name`,
    {
      model: scope.model,
      from: scope.window.from,
      to: scope.window.to,
      version: scope.version ?? '',
    },
  );
  return rows.map((r) => r.name);
}

export interface ReferenceMoments {
  rows: number;
  /** Smallest and largest vector length: a dimension change shows as two different numbers. */
  dims: [number, number];
  mean: number[];
  /** Population standard deviation per component (Evidently's np.std). */
  std: number[];
  lo: number[];
  hi: number[];
}

/** One pass over the reference: count, per-component mean, std, min and max. */
export async function referenceMoments(store: Store, rows: RowSet): Promise<ReferenceMoments> {
  const [r] = (await store.query<{
    n: string;
    dmin: number;
    dmax: number;
    mean: number[];
    std: number[];
    lo: number[];
    hi: number[];
  }>(
    `SELECT count() AS n, min(length(vector)) AS dmin, max(length(vector)) AS dmax,
            avgForEach(vector) AS mean, stddevPopStableForEach(vector) AS std,
            minForEach(vector) AS lo, maxForEach(vector) AS hi
     FROM (${rows.sql})`,
    rows.params,
  )) as [
    {
      n: string;
      dmin: number;
      dmax: number;
      mean: number[];
      std: number[];
      lo: number[];
      hi: number[];
    },
  ];
  return {
    rows: Number(r.n),
    dims: [r.dmin, r.dmax],
    mean: r.mean,
    std: r.std,
    lo: r.lo,
    hi: r.hi,
  };
}

/** Count and smallest / largest vector length, from the lengths alone (no vector is read). */
export async function vectorShape(
  store: Store,
  rows: RowSet,
): Promise<{ rows: number; dims: [number, number] }> {
  const [r] = (await store.query<{ n: string; dmin: number; dmax: number }>(
    `SELECT count() AS n, min(length(vector)) AS dmin, max(length(vector)) AS dmax FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; dmin: number; dmax: number }];
  return { rows: Number(r.n), dims: [r.dmin, r.dmax] };
}

export interface WindowMoments {
  rows: number;
  mean: number[];
  /** ClickHouse's L2Distance and cosineDistance between the window's and the reference's means. */
  euclidean: number;
  cosine: number;
  /** Per component: window values below the reference's min / above its max, summed distance beyond. */
  below_excess: number[];
  above_excess: number[];
}

/**
 * One pass over the window (its vectors of the reference's dimension: see vectorShape): count,
 * mean, its distances to the reference's mean, tails beyond the reference's range.
 */
export async function windowMoments(
  store: Store,
  rows: RowSet,
  reference: Pick<ReferenceMoments, 'mean' | 'lo' | 'hi'>,
): Promise<WindowMoments> {
  const [r] = (await store.query<{
    n: string;
    mean: number[];
    euclidean: number;
    cosine: number;
    below: number[];
    above: number[];
  }>(
    `WITH {emb_mean:Array(Float64)} AS M, {emb_lo:Array(Float64)} AS L, {emb_hi:Array(Float64)} AS H
     SELECT count() AS n, avgForEach(vector) AS mean,
            L2Distance(mean, M) AS euclidean, cosineDistance(mean, M) AS cosine,
            sumForEach(arrayMap((x, l) -> greatest(l - x, 0), vector, L)) AS below,
            sumForEach(arrayMap((x, h) -> greatest(x - h, 0), vector, H)) AS above
     FROM (${rows.sql})`,
    { ...rows.params, emb_mean: reference.mean, emb_lo: reference.lo, emb_hi: reference.hi },
  )) as [
    {
      n: string;
      mean: number[];
      euclidean: number;
      cosine: number;
      below: number[];
      above: number[];
    },
  ];
  return {
    rows: Number(r.n),
    mean: r.mean,
    euclidean: r.euclidean,
    cosine: r.cosine,
    below_excess: r.below,
    above_excess: r.above,
  };
}

/** Per component: counts in the BINS bins of the reference's range, below it and above it. */
export interface ComponentCounts {
  bins: number[][];
  below: number[];
  above: number[];
}

/**
 * Every component's histogram on the reference's [lo, hi] in one grouped pass: each value becomes
 * a slot number, component × (BINS + 2) + bin, grouped as a UInt16 where the slots fit (up to 385
 * components; a 16-bit key groups in a flat array, 2–3× faster than a hashed 32-bit one).
 */
export async function componentCounts(
  store: Store,
  rows: RowSet,
  range: Pick<ReferenceMoments, 'lo' | 'hi'>,
): Promise<ComponentCounts> {
  const d = range.lo.length;
  const key = d * SLOTS <= 65_536 ? 'toUInt16' : 'toUInt32';
  const scale = range.lo.map((l, j) => (range.hi[j]! > l ? BINS / (range.hi[j]! - l) : 0));
  const counts = await store.query<{ k: number; n: string }>(
    `WITH {emb_lo:Array(Float64)} AS L, {emb_hi:Array(Float64)} AS H, {emb_scale:Array(Float64)} AS S,
          {emb_offset:Array(UInt32)} AS O
     SELECT k, count() AS n FROM (${rows.sql})
     ARRAY JOIN arrayMap((x, l, h, s, o) -> ${key}(o + if(x < l, 0, if(x > h, ${BINS + 1},
                 1 + least(${BINS - 1}, toInt64(floor((x - l) * s)))))), vector, L, H, S, O) AS k
     GROUP BY k`,
    {
      ...rows.params,
      emb_lo: range.lo,
      emb_hi: range.hi,
      emb_scale: scale,
      emb_offset: range.lo.map((_, j) => j * SLOTS),
    },
  );
  const out: ComponentCounts = {
    bins: Array.from({ length: d }, () => new Array<number>(BINS).fill(0)),
    below: new Array<number>(d).fill(0),
    above: new Array<number>(d).fill(0),
  };
  for (const { k, n } of counts) {
    const j = Math.floor(k / SLOTS);
    const slot = k % SLOTS;
    if (slot === 0) out.below[j] = Number(n);
    else if (slot === BINS + 1) out.above[j] = Number(n);
    else out.bins[j]![slot - 1] = Number(n);
  }
  return out;
}

/**
 * A seeded sample of at most SAMPLE_ROWS vectors: the rows with the smallest hashes (of the
 * vector's first components and length), after a cut that keeps about 1.5× the rows wanted so
 * that only those are sorted. The same data gives the same sample.
 */
export async function sampleVectors(
  store: Store,
  rows: RowSet,
  count: number,
  dim: number,
): Promise<Vectors> {
  const hash = `cityHash64(${SAMPLE_SEED}, vector[1], vector[2], vector[3], arraySum(vector))`;
  const keep = Math.min(1, (1.5 * SAMPLE_ROWS) / Math.max(count, 1) + 1e-3);
  const cut = keep >= 1 ? '' : `WHERE ${hash} <= {emb_cut:UInt64}`;
  const sampled = await store.query<{ vector: number[] }>(
    `SELECT vector FROM (${rows.sql}) ${cut} ORDER BY ${hash}, vector LIMIT ${SAMPLE_ROWS}`,
    { ...rows.params, emb_cut: (BigInt(Math.floor(keep * 2 ** 53)) * 2048n).toString() },
  );
  return vectorsOf(
    sampled.map((r) => r.vector),
    dim,
  );
}
