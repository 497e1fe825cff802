import type { Store } from '@osprey/db';
import { emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { numericPairs, pairKeysOf, type RowSet } from '../sql/rows';

/** A numeric feature's distinct values, ascending, and how many rows hold each. */
export interface ValueCounts {
  values: number[];
  counts: number[];
}

/** Distinct (feature, value) pairs a statement answers at most: 16 bytes each, as RowBinary. */
const BATCH_VALUES = 4_000_000;
const ROW_BYTES = 16;

/**
 * Each target's numeric features (`features`: the names and the target's rows, by target)
 * counted value by value, read as RowBinary. What a small reference's profile needs is then worked
 * out from them without another statement: its buckets on any grid (bucketsOfValues), its point
 * masses, its few values. One target's `rows` are read as they are (any row set); several, by
 * their `target` column, in statements of at most BATCH_VALUES pairs (the targets' rows × features
 * bound them).
 */
export async function valueCountsOf(
  store: Store,
  rows: RowSet,
  features: ReadonlyMap<string, { keys: readonly string[]; rows: number }>,
): Promise<Map<string, Map<string, ValueCounts>>> {
  const out = new Map([...features.keys()].map((t) => [t, new Map<string, ValueCounts>()]));
  const targets = [...features].filter(([, f]) => f.keys.length > 0);
  if (targets.length === 0) return out;
  if (features.size === 1) {
    const [target, f] = targets[0]!;
    out.set(target, await countValues(store, rows, [...f.keys]));
    return out;
  }
  const chunks: string[][] = [[]];
  let size = 0;
  for (const [target, f] of targets) {
    const pairs = f.rows * f.keys.length;
    if (chunks.at(-1)!.length > 0 && size + pairs > BATCH_VALUES) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(target);
    size += pairs;
  }
  const pairs = pairKeysOf('vc', [...features.keys()]);
  const counted = await Promise.all(
    chunks.map((chunk) =>
      countValues(
        store,
        chunks.length === 1
          ? rows
          : {
              sql: `SELECT * FROM (${rows.sql}) WHERE target IN {vc_targets:Array(String)}`,
              params: { ...rows.params, vc_targets: chunk },
            },
        chunk.flatMap((t) => features.get(t)!.keys.map((k) => pairs.key(t, k))),
        pairs,
      ),
    ),
  );
  for (const [target, byFeature] of pairs.regroup(counted.flatMap((c) => [...c])))
    out.set(target, byFeature);
  return out;
}

/** `keys`: feature names, or with `pairs` pair keys of several targets' features (pairKeysOf). */
async function countValues(
  store: Store,
  rows: RowSet,
  keys: string[],
  pairs?: ReturnType<typeof pairKeysOf>,
): Promise<Map<string, ValueCounts>> {
  const keyed = pairs
    ? `SELECT ${pairs.sql} AS key, v FROM (${numericPairs(rows, 'target,')})`
    : `SELECT k AS key, v FROM (${numericPairs(rows)})`;
  const bytes = await store.queryBinary(
    // v + 0. counts -0 as 0.
    `SELECT i, v, toUInt32(count()) AS n
     FROM (SELECT transform(key, {vc_keys:Array(String)}, {vc_index:Array(UInt32)}, toUInt32(0)) AS i,
                  v + 0. AS v
           FROM (${keyed}))
     WHERE i > 0
     GROUP BY i, v ORDER BY i, v`,
    { ...rows.params, ...pairs?.params, vc_keys: keys, vc_index: keys.map((_, i) => i + 1) },
    'RowBinary',
  );
  const out = new Map<string, ValueCounts>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.byteLength; at += ROW_BYTES) {
    const key = keys[view.getUint32(at, true) - 1]!;
    let c = out.get(key);
    if (!c) out.set(key, (c = { values: [], counts: [] }));
    c.values.push(view.getFloat64(at + 4, true));
    c.counts.push(view.getUint32(at + 12, true));
  }
  return out;
}

/**
 * A feature's values counted into the buckets of `grid` (sorted): bucket 0 below grid[0], bucket
 * i in [grid[i-1], grid[i]); per bucket its rows, Σ, min and max, as the bucket pass counts them.
 */
export function bucketsOfValues(counted: ValueCounts, grid: readonly number[]): Buckets {
  const b = emptyBuckets(grid.length + 1);
  let j = 0;
  counted.values.forEach((v, i) => {
    while (j < grid.length && v >= grid[j]!) j++;
    const n = counted.counts[i]!;
    if (b.counts[j] === 0) b.lo[j] = v;
    b.hi[j] = v;
    b.counts[j]! += n;
    b.sum[j]! += v * n;
  });
  return b;
}
