import type { Store } from '@osprey/db';
import { emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { numericPairs, pairKeysOf, rowsOfTargets, type RowSet } from '../sql/rows';

/**
 * Counting every numeric value of a window into its feature's fine reference buckets in one pass.
 * Each (feature, value) becomes one UInt64 whose order is (feature, value): the feature's number
 * in the top bits, the value's order-preserving IEEE bits below (sign flipped for positives, all
 * bits flipped for negatives), its lowest bits dropped to make room. One constant, sorted array of
 * every feature's boundaries (plus a floor per feature) then lets `roundDown` find each value's
 * bucket by binary search, and the pass groups by that boundary. Values within ~2^-(52-bits)
 * relative of a boundary may land on its upper side; nothing else is approximate.
 */

const SIGN = 1n << 63n;
const ALL = (1n << 64n) - 1n;
const view = new DataView(new ArrayBuffer(8));

/** Top bits that number the features (1-based, so a feature's floor key is never 0). */
function featureBits(features: number): number {
  return Math.max(1, Math.ceil(Math.log2(features + 1)));
}

function orderedBits(x: number): bigint {
  view.setFloat64(0, x + 0); // + 0 turns -0 into 0, as `v + 0.` does in SQL
  const b = view.getBigUint64(0);
  return b & SIGN ? ~b & ALL : b | SIGN;
}

function fromOrderedBits(b: bigint): number {
  view.setBigUint64(0, b & SIGN ? b & ~SIGN & ALL : ~b & ALL);
  return view.getFloat64(0);
}

/**
 * The boundary just above x that still counts as distinct from x once keys drop their lowest
 * bits (2^11 steps of the last bit above it, ~5e-13 relative): [x, justAbove(x)) is a bucket of
 * the value x alone.
 */
export function justAbove(x: number): number {
  return fromOrderedBits(orderedBits(x) + (1n << 11n));
}

function keyOf(feature: number, x: number, bits: number): bigint {
  return (BigInt(feature) << BigInt(64 - bits)) | (orderedBits(x) >> BigInt(bits));
}

/** keyOf as its high and low 32 bits, without BigInt (a batch computes millions). */
function keyHalves(feature: number, x: number, bits: number): [high: number, low: number] {
  view.setFloat64(0, x + 0);
  let h = view.getUint32(0);
  let l = view.getUint32(4);
  if (h & 0x80000000) {
    h = ~h >>> 0;
    l = ~l >>> 0;
  } else h = (h | 0x80000000) >>> 0;
  return [
    ((feature << (32 - bits)) | (h >>> bits)) >>> 0,
    ((l >>> bits) | (h << (32 - bits))) >>> 0,
  ];
}

/** A feature's bucket boundaries: sorted, distinct, and distinct as keys too. */
export function gridOf(quantiles: readonly number[]): number[] {
  const sorted = [...new Set(quantiles.map((q) => q + 0))].sort((a, b) => a - b);
  // Boundaries that collide once truncated would make two buckets of one; keep the first.
  const bits = featureBits(1023);
  return sorted.filter((x, i) => i === 0 || keyOf(1, x, bits) !== keyOf(1, sorted[i - 1]!, bits));
}

/** Per feature: its values counted into buckets of its grid (length grid + 1). */
export async function bucketCounts(
  store: Store,
  rows: RowSet,
  grids: Map<string, number[]>,
): Promise<Map<string, Buckets>> {
  return countBuckets(store, rows, grids);
}

/**
 * A statement counts at most this many boundaries (beyond, the binary search and the grouping
 * outgrow the CPU caches) and feature grids (the top bits that number them).
 */
const BATCH_BOUNDARIES = 64_000;
const BATCH_GRIDS = 1023;

/**
 * bucketCounts for several models of a row set, each feature against its own model's grid: as
 * few statements as the boundaries allow (BATCH_BOUNDARIES), by model then feature.
 */
export async function bucketCountsOf(
  store: Store,
  rows: RowSet,
  grids: ReadonlyMap<string, Map<string, number[]>>,
  budget = BATCH_BOUNDARIES,
): Promise<Map<string, Map<string, Buckets>>> {
  if (grids.size === 1) {
    const [[model, g]] = [...grids] as [[string, Map<string, number[]>]];
    return new Map([[model, await bucketCounts(store, rows, g)]]);
  }
  const pairs = pairKeysOf('bucket', [...grids.keys()]);
  type Chunk = { grids: Map<string, number[]>; targets: string[] };
  const chunks: Chunk[] = [];
  let chunk: Chunk = { grids: new Map(), targets: [] };
  let boundaries = 0;
  for (const [model, features] of grids) {
    if (features.size === 0) continue;
    const size = [...features.values()].reduce((n, g) => n + g.length + 1, 0);
    if (
      chunk.grids.size > 0 &&
      (boundaries + size > budget || chunk.grids.size + features.size > BATCH_GRIDS)
    ) {
      chunks.push(chunk);
      chunk = { grids: new Map(), targets: [] };
      boundaries = 0;
    }
    for (const [k, g] of features) chunk.grids.set(pairs.key(model, k), g);
    chunk.targets.push(model);
    boundaries += size;
  }
  if (chunk.grids.size > 0) chunks.push(chunk);
  // A statement of several reads only its own targets' rows (when the grids need several).
  const counted = await Promise.all(
    chunks.map((c) =>
      countBuckets(
        store,
        chunks.length === 1 ? rows : rowsOfTargets(rows, 'bucket', c.targets),
        c.grids,
        pairs,
      ),
    ),
  );
  return pairs.regroup(counted.flatMap((buckets) => [...buckets]));
}

/**
 * Counts each (look-up key, value) into the key's grid: keys are feature names, or with `pairs`
 * pair keys of several targets' features (pairKeysOf).
 */
async function countBuckets(
  store: Store,
  rows: RowSet,
  grids: Map<string, number[]>,
  pairs?: ReturnType<typeof pairKeysOf>,
): Promise<Map<string, Buckets>> {
  const keys = [...grids.keys()];
  const out = new Map(keys.map((k) => [k, emptyBuckets(grids.get(k)!.length + 1)]));
  if (keys.length === 0) return out;
  const bits = featureBits(keys.length);
  // Every boundary's key as two 32-bit halves, in key order without sorting: feature by feature
  // (numbered in order), each opened by its floor (value bits all zero: below every value of the
  // feature, opening its bucket 0), then its grid (sorted, and distinct as keys: gridOf).
  const high: number[] = [];
  const low: number[] = [];
  const bucketOf: [feature: string, bucket: number][] = [];
  keys.forEach((k, i) => {
    high.push(((i + 1) << (32 - bits)) >>> 0);
    low.push(0);
    bucketOf.push([k, 0]);
    grids.get(k)!.forEach((x, j) => {
      const [h, l] = keyHalves(i + 1, x, bits);
      const [ph, pl] = [high.at(-1)!, low.at(-1)!];
      if (h < ph || (h === ph && l <= pl)) throw new Error(`the grid of ${k} is not sorted`);
      high.push(h);
      low.push(l);
      bucketOf.push([k, j + 1]);
    });
  });
  // One row of arrays (per bucket met: its boundary's position, count, Σ, min, max), not a row
  // per bucket: a batch's fine grids meet millions.
  const [counted] = await store.query<{
    at: number[];
    n: string[];
    total: number[];
    lo: number[];
    hi: number[];
  }>(
    // The boundaries named once: each mention of a parameter parses its array again.
    `WITH arrayMap((h, l) -> bitOr(bitShiftLeft(toUInt64(h), 32), toUInt64(l)),
                   {bucket_high:Array(UInt32)}, {bucket_low:Array(UInt32)}) AS bounds
     SELECT groupArray(at) AS at, groupArray(n) AS n, groupArray(total) AS total,
            groupArray(lo) AS lo, groupArray(hi) AS hi
     FROM (
       SELECT transform(bound, bounds, range(toUInt32(${high.length})), toUInt32(0)) AS at,
              count() AS n, sum(v) AS total, min(v) AS lo, max(v) AS hi
       FROM (
         SELECT v, roundDown(
           bitOr(bitShiftLeft(toUInt64(idx), ${64 - bits}),
                 bitShiftRight(if(bitTest(b, 63), bitNot(b), bitOr(b, toUInt64(9223372036854775808))), ${bits})),
           bounds) AS bound
         FROM (
           SELECT v, reinterpretAsUInt64(v + 0.) AS b,
             transform(${pairs ? pairs.sql : 'k'}, {bucket_keys:Array(String)}, {bucket_index:Array(UInt32)}, toUInt32(0)) AS idx
           FROM (${numericPairs(rows, pairs ? 'target,' : '')})
         )
         WHERE idx > 0
       )
       GROUP BY bound
     )`,
    {
      ...rows.params,
      ...pairs?.params,
      bucket_keys: keys,
      bucket_index: keys.map((_, i) => i + 1),
      bucket_high: high,
      bucket_low: low,
    },
  );
  if (!counted) return out;
  counted.at.forEach((at, i) => {
    const [feature, bucket] = bucketOf[at]!;
    const b = out.get(feature)!;
    b.counts[bucket] = Number(counted.n[i]);
    b.sum[bucket] = counted.total[i]!;
    b.lo[bucket] = counted.lo[i]!;
    b.hi[bucket] = counted.hi[i]!;
  });
  return out;
}
