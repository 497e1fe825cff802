import type { Store } from '@osprey/db';
import { byWindow, latestRows, type HistoryScope } from '../results/history';
import type { Estimate } from './cbpe';

/** One window's estimated performance, as the dashboard plots it. */
export interface EstimatedPoint {
  window_start: string;
  window_end: string;
  task: string;
  rows: number;
  metrics: Record<string, Estimate>;
}

/** The parts stored beside each estimate, as `<metric>_<part>` rows (CBPE and DLE alike). */
export const ESTIMATE_PARTS = [
  'sampling_error',
  'lower_confidence_boundary',
  'upper_confidence_boundary',
  'lower_threshold',
  'upper_threshold',
] as const;

/** The stored CBPE estimates of a model's windows in [from, to), oldest first. */
export async function estimatedPerformanceHistory(
  store: Store,
  scope: HistoryScope,
): Promise<EstimatedPoint[]> {
  const rows = await latestRows(store, 'estimated_performance', scope);
  return byWindow(
    rows,
    (r): EstimatedPoint => ({
      window_start: r.window_start,
      window_end: r.window_end,
      task: r.kind,
      rows: r.current_size,
      metrics: {},
    }),
    (p, r) => {
      const part = r.is_verdict
        ? undefined
        : ESTIMATE_PARTS.find((s) => r.statistic.endsWith(`_${s}`));
      const metric = part ? r.statistic.slice(0, -part.length - 1) : r.statistic;
      const e = (p.metrics[metric] ??= {
        value: null,
        sampling_error: null,
        lower_confidence_boundary: null,
        upper_confidence_boundary: null,
        lower_threshold: null,
        upper_threshold: null,
        alert: false,
      });
      if (part) e[part] = r.value;
      else {
        e.value = r.value;
        e.alert = r.status === 'alert';
      }
    },
  );
}
