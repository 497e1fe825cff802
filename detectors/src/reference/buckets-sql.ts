import type { Store } from '@osprey/db';
import { emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { numericPairs, pairKeysOf, type RowSet } from '../sql/rows';

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
  const chunks: Map<string, number[]>[] = [];
  let chunk = new Map<string, number[]>();
  let boundaries = 0;
  for (const [model, features] of grids) {
    const size = [...features.values()].reduce((n, g) => n + g.length + 1, 0);
    if (
      chunk.size > 0 &&
      (boundaries + size > budget || chunk.size + features.size > BATCH_GRIDS)
    ) {
      chunks.push(chunk);
      chunk = new Map();
      boundaries = 0;
    }
    for (const [k, g] of features) chunk.set(pairs.key(model, k), g);
    boundaries += size;
  }
  if (chunk.size > 0) chunks.push(chunk);
  const counted = await Promise.all(chunks.map((c) => countBuckets(store, rows, c, pairs)));
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
  // Boundary key → (feature, bucket). Each feature's floor (value bits all zero) lies below every
  // value of the feature and opens its bucket 0.
  const bucketOf = new Map<string, [feature: string, bucket: number]>();
  keys.forEach((k, i) => {
    bucketOf.set((BigInt(i + 1) << BigInt(64 - bits)).toString(), [k, 0]);
    grids.get(k)!.forEach((x, j) => bucketOf.set(keyOf(i + 1, x, bits).toString(), [k, j + 1]));
  });
  const boundaries = [...bucketOf.keys()]
    .map(BigInt)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(String);
  const counted = await store.query<{
    bucket: string;
    n: string;
    total: number;
    lo: number;
    hi: number;
  }>(
    `SELECT toString(bound) AS bucket,
            count() AS n, sum(v) AS total, min(v) AS lo, max(v) AS hi
     FROM (
       SELECT v, roundDown(
         bitOr(bitShiftLeft(toUInt64(idx), ${64 - bits}),
               bitShiftRight(if(bitTest(b, 63), bitNot(b), bitOr(b, toUInt64(9223372036854775808))), ${bits})),
         arrayMap(x -> toUInt64(x), {bucket_bounds:Array(String)})) AS bound
       FROM (
         SELECT v, reinterpretAsUInt64(v + 0.) AS b,
           transform(${pairs ? pairs.sql : 'k'}, {bucket_keys:Array(String)}, {bucket_index:Array(UInt32)}, toUInt32(0)) AS idx
         FROM (${numericPairs(rows, pairs ? 'target,' : '')})
       )
       WHERE idx > 0
     )
     GROUP BY bound`,
    {
      ...rows.params,
      ...pairs?.params,
      bucket_keys: keys,
      bucket_index: keys.map((_, i) => i + 1),
      bucket_bounds: boundaries,
    },
  );
  for (const r of counted) {
    const [feature, bucket] = bucketOf.get(r.bucket)!;
    const b = out.get(feature)!;
    b.counts[bucket] = Number(r.n);
    b.sum[bucket] = r.total;
    b.lo[bucket] = r.lo;
    b.hi[bucket] = r.hi;
  }
  return out;
}
