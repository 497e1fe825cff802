import type { QueryParams, Store } from '@osprey/db';
import { BINARY_THRESHOLD } from './confusion-matrix';
import { percentilesSql } from './numpy-sql';

export type CalibrationStrategy = 'uniform' | 'quantile';

export interface CalibrationBin {
  /** sklearn's prob_pred (mean score) and prob_true (share of positives) of a non-empty bin. */
  mean_predicted: number;
  fraction_positive: number;
  n: number;
}

/** The bins of sklearn's calibration_curve: n_bins 10 unless told. */
export const CALIBRATION_BINS = 10;

export interface ScoreSummary {
  /** Null when a score lies outside [0, 1] (sklearn refuses those). */
  calibration: Record<CalibrationStrategy, CalibrationBin[]> | null;
  /** Rows by label (0/1) and score ≥ BINARY_THRESHOLD. */
  counts: { tp: number; fp: number; fn: number; tn: number };
}

/** Per bin k < bins: count, sum of scores, sum of labels of the sorted rows in `bin` k. */
const binStats = (bin: string, p: string) => `
  arrayMap(k -> arrayCount(b -> b = k, ${bin}), range({cal_bins:UInt32})) AS ${p}_n,
  arrayMap(k -> arraySum(arrayFilter((x, b) -> b = k, s, ${bin})), range({cal_bins:UInt32})) AS ${p}_sum,
  arrayMap(k -> arraySum(arrayFilter((y, b) -> b = k, l, ${bin})), range({cal_bins:UInt32})) AS ${p}_pos`;

/**
 * sklearn's calibration_curve(y, score, n_bins, strategy) for both strategies, and the binary
 * confusion counts, in one pass over `scores` (rows of score, ln ∈ {0, 1}) — the labelled rows
 * are joined once. The scores and labels are gathered sorted by score; the inner edges are
 * numpy's linspace(0, 1, bins + 1) (uniform) or numpy's linear percentile of the scores at
 * linspace(0, 1, bins + 1)·100 (quantile; the levels computed in SQL as numpy does, ·100 then
 * /100, never parsed from text); a score's bin is the number of inner edges below it (numpy's
 * searchsorted, left). Empty bins are left out, as sklearn does.
 */
export async function scoreSummary(
  store: Store,
  scores: string,
  params: QueryParams,
  bins = CALIBRATION_BINS,
): Promise<ScoreSummary> {
  const [r] = (await store.query<Record<string, number[] | number | string>>(
    `WITH arraySort(x -> x.1, groupArray((score, ln))) AS sl,
          arrayMap(x -> x.1, sl) AS s, arrayMap(x -> x.2, sl) AS l,
          arrayMap(i -> i * (1 / {cal_bins:UInt32}), range(1, {cal_bins:UInt32})) AS levels,
          ${percentilesSql('s', 'arrayMap(q -> (q * 100) / 100, levels)')} AS quantile_edges,
          arrayMap(x -> arrayCount(e -> e < x, levels), s) AS ub,
          arrayMap(x -> arrayCount(e -> e < x, quantile_edges), s) AS qb
     SELECT ${binStats('ub', 'u')}, ${binStats('qb', 'q')},
            countIf(score < 0 OR score > 1) AS outside,
            countIf(ln = 1 AND score >= ${BINARY_THRESHOLD}) AS tp,
            countIf(ln != 1 AND score >= ${BINARY_THRESHOLD}) AS fp,
            countIf(ln = 1 AND score < ${BINARY_THRESHOLD}) AS fn,
            countIf(ln != 1 AND score < ${BINARY_THRESHOLD}) AS tn
     FROM (${scores})`,
    { ...params, cal_bins: bins },
  )) as [Record<string, number[] | number | string>];
  const curve = (p: 'u' | 'q'): CalibrationBin[] => {
    const n = (r[`${p}_n`] as (number | string)[]).map(Number);
    const sum = r[`${p}_sum`] as number[];
    const pos = r[`${p}_pos`] as number[];
    return n.flatMap((count, k) =>
      count === 0
        ? []
        : [{ mean_predicted: sum[k]! / count, fraction_positive: pos[k]! / count, n: count }],
    );
  };
  return {
    calibration: Number(r.outside) > 0 ? null : { uniform: curve('u'), quantile: curve('q') },
    counts: {
      tp: Number(r.tp),
      fp: Number(r.fp),
      fn: Number(r.fn),
      tn: Number(r.tn),
    },
  };
}
