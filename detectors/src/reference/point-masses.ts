import type { Store } from '@osprey/db';
import type { Buckets } from '../drift/ecdf-sketch';
import { numericPairs, type RowSet } from '../sql/rows';
import { gridOf, justAbove } from './buckets-sql';
import type { ValueCounts } from './value-counts';

/**
 * A bucket holding more than this many times its share of the reference is searched for point
 * masses (a cap, a default value, the values of an integer feature).
 */
const CROWDED = 2;

type Range = { lo: number; hi: number };

/**
 * A feature's crowded buckets as value ranges (sorted, disjoint), and its bucket's share of rows:
 * a value holding more than that in one of them is a point mass.
 */
function crowdedRanges(
  grid: readonly number[],
  totals: Buckets,
): { ranges: Range[]; share: number } {
  const counts = totals.counts;
  const n = counts.reduce((a, b) => a + b, 0);
  const share = n / counts.length;
  const ranges: Range[] = [];
  counts.forEach((c, i) => {
    // With fewer rows than buckets every value holds more than a bucket's share.
    if (c > CROWDED * share || (share < 1 && c > 0))
      ranges.push({
        lo: i === 0 ? -Number.MAX_VALUE : grid[i - 1]!,
        hi: i === grid.length ? Number.MAX_VALUE : grid[i]!,
      });
  });
  return { ranges, share };
}

/**
 * Point masses of the reference: per feature, the values that hold more than one bucket's share
 * (n / buckets) of its rows, searched for in the crowded buckets only. A quantile grid (from a
 * t-digest) puts its boundaries near such a value, not on both sides of it, so the value shares a
 * bucket with its neighbours and the KS statistic, read at the boundaries, misses its step.
 */
export async function pointMasses(
  store: Store,
  rows: RowSet,
  grids: Map<string, number[]>,
  totals: Map<string, Buckets>,
): Promise<Map<string, number[]>> {
  const ranges: { k: string; lo: number; hi: number; min: number }[] = [];
  for (const [k, grid] of grids) {
    const crowded = crowdedRanges(grid, totals.get(k)!);
    for (const r of crowded.ranges) ranges.push({ k, ...r, min: crowded.share });
  }
  const out = new Map<string, number[]>();
  if (ranges.length === 0) return out;
  const found = await store.query<{ k: string; v: number }>(
    `SELECT k, v FROM (${numericPairs(rows)})
     WHERE has({pm_features:Array(String)}, k)
       AND arrayExists((key, lo, hi) -> k = key AND v >= lo AND v < hi,
                       {pm_keys:Array(String)},
                       arrayMap(x -> toFloat64(x), {pm_lo:Array(String)}),
                       arrayMap(x -> toFloat64(x), {pm_hi:Array(String)}))
     GROUP BY k, v
     HAVING count() > transform(k, {pm_keys:Array(String)}, {pm_min:Array(Float64)}, 0.)`,
    {
      ...rows.params,
      pm_features: [...new Set(ranges.map((r) => r.k))],
      pm_keys: ranges.map((r) => r.k),
      // as text: the binder refuses numbers beyond 2^53 such as the open ends' ±MAX_VALUE
      pm_lo: ranges.map((r) => String(r.lo)),
      pm_hi: ranges.map((r) => String(r.hi)),
      pm_min: ranges.map((r) => r.min),
    },
  );
  for (const r of found) out.set(r.k, [...(out.get(r.k) ?? []), r.v]);
  return out;
}

/**
 * pointMasses of one feature from its value counts (a small reference's: valueCountsOf), by the
 * same rule, without a statement.
 */
export function pointMassesOfValues(
  grid: readonly number[],
  totals: Buckets,
  counted: ValueCounts,
): number[] {
  const { ranges, share } = crowdedRanges(grid, totals);
  const out: number[] = [];
  // Both ascending: one walk.
  let r = 0;
  counted.values.forEach((v, i) => {
    while (r < ranges.length && v >= ranges[r]!.hi) r++;
    if (r < ranges.length && v >= ranges[r]!.lo && counted.counts[i]! > share) out.push(v);
  });
  return out;
}

/** The grid with a bucket [c, justAbove(c)) of its own for each point mass c. */
export function withPointMasses(grid: number[], masses: number[]): number[] {
  return gridOf([...grid, ...masses.flatMap((c) => [c, justAbove(c)])]);
}
