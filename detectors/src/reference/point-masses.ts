import type { Store } from '@osprey/db';
import type { Buckets } from '../drift/ecdf-sketch';
import { numericPairs, type RowSet } from '../sql/rows';
import { gridOf, justAbove } from './buckets-sql';

/**
 * A bucket holding more than this many times its share of the reference is searched for point
 * masses (a cap, a default value, the values of an integer feature).
 */
const CROWDED = 2;

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
    const counts = totals.get(k)!.counts;
    const n = counts.reduce((a, b) => a + b, 0);
    const share = n / counts.length;
    counts.forEach((c, i) => {
      // With fewer rows than buckets every value holds more than a bucket's share.
      if (c > CROWDED * share || (share < 1 && c > 0))
        ranges.push({
          k,
          lo: i === 0 ? -Number.MAX_VALUE : grid[i - 1]!,
          hi: i === grid.length ? Number.MAX_VALUE : grid[i]!,
          min: share,
        });
    });
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

/** The grid with a bucket [c, justAbove(c)) of its own for each point mass c. */
export function withPointMasses(grid: number[], masses: number[]): number[] {
  return gridOf([...grid, ...masses.flatMap((c) => [c, justAbove(c)])]);
}
