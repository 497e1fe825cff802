import { RowBinaryReader, type Store } from '@osprey/db';
import { emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { numericPairs, pairKeysOf, rowsOfTargets, type RowSet } from '../sql/rows';

/** A numeric feature's distinct values, ascending, and how many rows hold each. */
export interface ValueCounts {
  values: number[];
  counts: number[];
}

/**
 * Reference rows a statement counts at most (their values answered as RowBinary: 100,000 rows of
 * 100 numeric features are 80 MB).
 */
const BATCH_ROWS = 100_000;

/**
 * Each target's numeric features counted value by value (`targets`: each target's rows), read as
 * RowBinary: per feature, its distinct values ascending and their counts. What a small
 * reference's profile needs is then worked out from them without another statement: its fine
 * quantiles, its buckets on any grid (bucketsOfValues), its point masses, its few values. One
 * target's `rows` are read as they are (any row set); several, by their `target` column, in
 * statements of at most BATCH_ROWS rows.
 */
export async function valueCountsOf(
  store: Store,
  rows: RowSet,
  targets: ReadonlyMap<string, number>,
): Promise<Map<string, Map<string, ValueCounts>>> {
  if (targets.size === 1) {
    const [target] = targets.keys();
    return new Map([[target!, await countValues(store, rows)]]);
  }
  const chunks: string[][] = [[]];
  let size = 0;
  for (const [target, n] of targets) {
    if (chunks.at(-1)!.length > 0 && size + n > BATCH_ROWS) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(target);
    size += n;
  }
  const pairs = pairKeysOf('vc', [...targets.keys()]);
  const counted = await Promise.all(
    chunks.map((chunk) =>
      countValues(store, chunks.length === 1 ? rows : rowsOfTargets(rows, 'vc', chunk), pairs),
    ),
  );
  return pairs.regroup(counted.flatMap((c) => [...c]));
}

/** Keys are feature names, or with `pairs` pair keys of several targets' features (pairKeysOf). */
async function countValues(
  store: Store,
  rows: RowSet,
  pairs?: ReturnType<typeof pairKeysOf>,
): Promise<Map<string, ValueCounts>> {
  const bytes = await store.queryBinary(
    // Each feature's values sorted as one array (grouping by value as well costs 3×); v + 0.
    // counts -0 as 0.
    `SELECT ${pairs ? pairs.sql : 'k'} AS key, arraySort(groupArray(v + 0.)) AS sorted
     FROM (${numericPairs(rows, pairs ? 'target,' : '')})
     GROUP BY ${pairs ? 'target, ' : ''}k`,
    { ...rows.params, ...pairs?.params },
    'RowBinary',
  );
  // Per row: key (String), sorted (Array(Float64)).
  const out = new Map<string, ValueCounts>();
  const r = new RowBinaryReader(bytes);
  while (!r.done) {
    const key = r.string();
    const counted: ValueCounts = { values: [], counts: [] };
    for (let i = r.varint(); i > 0; i--) {
      const v = r.float64();
      if (counted.values.at(-1) === v) counted.counts[counted.counts.length - 1]! += 1;
      else {
        counted.values.push(v);
        counted.counts.push(1);
      }
    }
    out.set(key, counted);
  }
  return out;
}

/**
 * A feature's quantiles at `levels` from its value counts: the lower of the two values around
 * each level (the sorted values' index ⌊p (n − 1)⌋).
 */
export function quantilesOfValues(counted: ValueCounts, levels: readonly number[]): number[] {
  const cumulative: number[] = [];
  let n = 0;
  for (const c of counted.counts) cumulative.push((n += c));
  return levels.map((p) => {
    const index = Math.floor(p * (n - 1));
    // the first value whose cumulative count passes the index
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    return counted.values[lo]!;
  });
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
