import type { Store } from '@osprey/db';
import { numericPairs, type RowSet } from '../sql/rows';

/**
 * Evidently treats a numeric feature with at most this many distinct values (reference and
 * window together) as categorical: a flag, a rating, a constant.
 */
export const FEW_VALUES = 5;

/**
 * Counts per value of those of `keys` that have at most FEW_VALUES distinct values in `rows`
 * (values as JavaScript number strings). One query: the distinct values are bounded first
 * (uniqUpTo), so a feature with many values is never grouped value by value.
 */
export async function fewValueCounts(
  store: Store,
  rows: RowSet,
  keys: string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (keys.length === 0) return out;
  const pairs = `SELECT k, v FROM (${numericPairs(rows)}) WHERE has({few_keys:Array(String)}, k)`;
  const counted = await store.query<{ k: string; v: number; n: string }>(
    `SELECT k, v, count() AS n FROM (${pairs})
     WHERE k IN (SELECT k FROM (${pairs}) GROUP BY k HAVING uniqUpTo(${FEW_VALUES})(v) <= ${FEW_VALUES})
     GROUP BY k, v`,
    { ...rows.params, few_keys: keys },
  );
  for (const r of counted) {
    const counts = out.get(r.k) ?? {};
    counts[String(r.v + 0)] = Number(r.n);
    out.set(r.k, counts);
  }
  return out;
}
