import type { Store } from '@osprey/db';
import { numericPairs, type RowSet } from '../sql/rows';
import { kolmogorovSf } from './special';

/** Up to this many values per side the KS p-value is exact (scipy's and ClickHouse's 'auto' rule). */
const EXACT_KS_ROWS = 10_000;

export interface EcdfStatistics {
  /** Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs. */
  ks: number;
  /**
   * Two-sided p-value: exact (ClickHouse's kolmogorovSmirnovTest) up to 10,000 values per side,
   * else the limiting Kolmogorov distribution at D·sqrt(nm/(n+m)).
   */
  ksP: number;
  /** Wasserstein-1 distance: the area between the two empirical CDFs. */
  wasserstein: number;
}

/**
 * Exact KS and Wasserstein statistics per numeric feature, computed in ClickHouse over both row
 * sets: per distinct value the count on each side, running sums for the two empirical CDFs, and
 * the gaps between consecutive values — no raw value leaves the database. Every key must have
 * values in both row sets.
 */
export async function ecdfStatistics(
  store: Store,
  reference: RowSet,
  current: RowSet,
  keys: string[],
  sample: { reference: number; current: number } = { reference: 1, current: 1 },
): Promise<Map<string, EcdfStatistics>> {
  const out = new Map<string, EcdfStatistics>();
  if (keys.length === 0) return out;
  reference = sampled(reference, sample.reference);
  current = sampled(current, sample.current);
  const both = `${numericPairs(reference, '0 AS src,')} UNION ALL ${numericPairs(current, '1 AS src,')}`;
  const params = {
    ...reference.params,
    ...current.params,
    ecdf_keys: keys,
    ecdf_index: keys.map((_, i) => i + 1),
  };
  // Features are numbered (idx) so grouping and partitioning hash integers, not names.
  const rows = await store.query<{ idx: number; d: number; w1: number; nr: string; nc: string }>(
    `SELECT idx, max(abs(fr - fc)) AS d, sum(abs(fr - fc) * gap) AS w1, any(nr) AS nr, any(nc) AS nc
     FROM (
       SELECT idx, sum(r) OVER whole AS nr, sum(c) OVER whole AS nc,
         sum(r) OVER upto / sum(r) OVER whole AS fr,
         sum(c) OVER upto / sum(c) OVER whole AS fc,
         leadInFrame(v, 1, v) OVER (PARTITION BY idx ORDER BY v ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) - v AS gap
       FROM (
         SELECT transform(k, {ecdf_keys:Array(String)}, {ecdf_index:Array(UInt32)}, toUInt32(0)) AS idx,
                v, countIf(src = 0) AS r, countIf(src = 1) AS c
         FROM (${both}) WHERE idx > 0 GROUP BY idx, v
       )
       WINDOW upto AS (PARTITION BY idx ORDER BY v ROWS UNBOUNDED PRECEDING), whole AS (PARTITION BY idx)
     )
     GROUP BY idx`,
    params,
  );
  const distances = rows.map((r) => ({ ...r, k: keys[Number(r.idx) - 1]! }));
  // The exact p-value needs every value again (ClickHouse's test, exact up to 10,000 per side);
  // above that the asymptotic distribution needs only the statistic and the sizes.
  const small = distances.filter((r) => Math.max(Number(r.nr), Number(r.nc)) <= EXACT_KS_ROWS);
  const exact = new Map<string, number>();
  if (small.length > 0) {
    const tests = await store.query<{ k: string; t: { d_statistic: number; p_value: number } }>(
      `SELECT k, kolmogorovSmirnovTest('two-sided', 'exact')(v, src) AS t
       FROM (${both}) WHERE has({ks_keys:Array(String)}, k) GROUP BY k`,
      { ...params, ks_keys: small.map((r) => r.k) },
    );
    for (const r of tests) exact.set(r.k, r.t.p_value);
  }
  for (const r of distances) {
    const n = Number(r.nr);
    const m = Number(r.nc);
    const ksP = exact.get(r.k) ?? kolmogorovSf(r.d * Math.sqrt((n * m) / (n + m)));
    out.set(r.k, { ks: r.d, ksP, wasserstein: r.w1 });
  }
  return out;
}

/**
 * KS and Wasserstein sort every value of both sides per feature. Above this many values per side
 * (rows × numeric features), they are computed on a uniform random sample of rows that holds about
 * that many (sorting every value of a 10M-row window would not fit a 2-core machine's minute or its
 * memory); the binned and categorical statistics stay exact. At 200,000 rows per side the sampling
 * error of the KS statistic is about 1/sqrt(200,000) ≈ 0.002; with many features it grows to
 * ~1/sqrt(40,000) ≈ 0.005 — still far below what any threshold separates.
 */
export const ECDF_SAMPLE_VALUES = 1_000_000;
export const ECDF_SAMPLE_MAX_ROWS = 200_000;

/** Rows to keep per side, and the share of `rows` that is. */
export function ecdfSample(rows: number, features: number): { rows: number; fraction: number } {
  const keep = Math.min(
    ECDF_SAMPLE_MAX_ROWS,
    Math.max(20_000, Math.floor(ECDF_SAMPLE_VALUES / Math.max(1, features))),
  );
  return rows <= keep ? { rows, fraction: 1 } : { rows: keep, fraction: keep / rows };
}

function sampled(rows: RowSet, fraction: number): RowSet {
  if (fraction >= 1) return rows;
  return {
    sql: `SELECT * FROM (${rows.sql}) WHERE randCanonical() < ${fraction}`,
    params: rows.params,
  };
}
