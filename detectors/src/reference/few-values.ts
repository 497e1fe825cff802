import type { Store } from '@osprey/db';
import { numericPairs, pairKeysOf, type RowSet } from '../sql/rows';

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
  return countFewValues(store, rows, keys);
}

/**
 * fewValueCounts for several models of a row set in one statement: per model, its `keys`
 * counted (those with few values in its own rows).
 */
export async function fewValueCountsOf(
  store: Store,
  rows: RowSet,
  keys: ReadonlyMap<string, string[]>,
): Promise<Map<string, Map<string, Record<string, number>>>> {
  if (keys.size === 1) {
    const [[model, k]] = [...keys] as [[string, string[]]];
    return new Map([[model, await fewValueCounts(store, rows, k)]]);
  }
  const pairs = pairKeysOf('few', [...keys.keys()]);
  const wanted = [...keys].flatMap(([model, k]) => k.map((f) => pairs.key(model, f)));
  return pairs.regroup(await countFewValues(store, rows, wanted, pairs));
}

/** `keys`: feature names, or with `pairs` pair keys of several targets' features (pairKeysOf). */
async function countFewValues(
  store: Store,
  rows: RowSet,
  keys: string[],
  pairs?: ReturnType<typeof pairKeysOf>,
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (keys.length === 0) return out;
  const keyed = pairs
    ? `SELECT pk AS k, v FROM (SELECT ${pairs.sql} AS pk, v FROM (${numericPairs(rows, 'target,')}))
       WHERE has({few_keys:Array(String)}, pk)`
    : `SELECT k, v FROM (${numericPairs(rows)}) WHERE has({few_keys:Array(String)}, k)`;
  const counted = await store.query<{ k: string; v: number; n: string }>(
    `SELECT k, v, count() AS n FROM (${keyed})
     WHERE k IN (SELECT k FROM (${keyed}) GROUP BY k HAVING uniqUpTo(${FEW_VALUES})(v) <= ${FEW_VALUES})
     GROUP BY k, v`,
    { ...rows.params, ...pairs?.params, few_keys: keys },
  );
  for (const r of counted) {
    const counts = out.get(r.k) ?? {};
    counts[String(r.v + 0)] = Number(r.n);
    out.set(r.k, counts);
  }
  return out;
}
