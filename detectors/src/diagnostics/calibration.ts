import type { QueryParams, Store } from '@osprey/db';
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

/**
 * The inner bin edges of sklearn's calibration_curve as an SQL array over `scores`: uniform,
 * numpy's linspace(0, 1, bins + 1); quantile, numpy's percentile of the scores at
 * linspace(0, 1, bins + 1)·100 (the levels are computed in SQL as numpy does, ·100 then /100).
 */
function innerEdgesSql(strategy: CalibrationStrategy, scores: string): string {
  const levels = `arrayMap(i -> i * (1 / {cal_bins:UInt32}), range(1, {cal_bins:UInt32}))`;
  if (strategy === 'uniform') return levels;
  return `(SELECT ${percentilesSql('arraySort(groupArray(score))', `arrayMap(q -> (q * 100) / 100, ${levels})`)}
           FROM (${scores}))`;
}

/**
 * sklearn's calibration_curve(y, score, n_bins, strategy) on `scores` (rows of score, ln ∈
 * {0, 1}): a score's bin is the number of inner edges below it (numpy's searchsorted, left);
 * empty bins are left out, as sklearn does. Null when a score lies outside [0, 1] (sklearn
 * refuses those).
 */
export async function calibrationCurve(
  store: Store,
  scores: string,
  params: QueryParams,
  strategy: CalibrationStrategy,
  bins = CALIBRATION_BINS,
): Promise<CalibrationBin[] | null> {
  const rows = await store.query<{
    bin: number;
    n: string;
    sum_score: number;
    positives: number;
    outside: string;
  }>(
    `WITH ${innerEdgesSql(strategy, scores)} AS edges
     SELECT arrayCount(e -> e < score, edges) AS bin, count() AS n, sum(score) AS sum_score,
            sum(ln) AS positives, countIf(score < 0 OR score > 1) AS outside
     FROM (${scores}) GROUP BY bin ORDER BY bin`,
    { ...params, cal_bins: bins },
  );
  if (rows.some((r) => Number(r.outside) > 0)) return null;
  return rows.map((r) => ({
    mean_predicted: r.sum_score / Number(r.n),
    fraction_positive: r.positives / Number(r.n),
    n: Number(r.n),
  }));
}
