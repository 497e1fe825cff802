import { Tables, type Store } from '@osprey/db';
import { latestRunsOf, type HistoryScope } from '../results/history';
import type { MultivariateDriftReport } from './detect-multivariate';

/** One window's multivariate drift, as the model page charts it. */
export interface MultivariatePoint {
  window_start: string;
  window_end: string;
  value: number | null;
  lower_confidence_bound: number | null;
  upper_confidence_bound: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean | null;
  rows: number;
  components: number | null;
  features: number;
  reason: string | null;
}

/** The stored multivariate drift of each window in the scope's range (latest run), oldest first. */
export async function multivariateHistory(
  store: Store,
  scope: HistoryScope,
): Promise<MultivariatePoint[]> {
  const runs = await latestRunsOf(store, 'multivariate_drift', scope);
  if (runs.windows.length === 0) return [];
  const docs = await store.query<{ document: string }>(
    `SELECT document FROM ${Tables.detectorRuns} WHERE ${runs.where} ORDER BY window_start`,
    runs.params,
  );
  return docs.map(({ document }) => {
    const d = JSON.parse(document) as MultivariateDriftReport;
    return {
      window_start: d.window.from,
      window_end: d.window.to,
      value: d.value,
      lower_confidence_bound: d.lower_confidence_bound,
      upper_confidence_bound: d.upper_confidence_bound,
      lower_threshold: d.thresholds.lower,
      upper_threshold: d.thresholds.upper,
      alert: d.alert,
      rows: d.current_size,
      components: d.components,
      features: d.features.numeric.length + d.features.categorical.length,
      reason: d.reason ?? null,
    };
  });
}
