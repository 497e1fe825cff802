import type { Store } from '@osprey/db';
import { latestRows, type HistoryScope } from '../../results/history';

/** An estimated metric of one window, as its stored result rows have it (NannyML's columns). */
export interface EstimatedValue {
  value: number | null;
  sampling_error: number | null;
  lower_confidence_boundary: number | null;
  upper_confidence_boundary: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean;
}

/** Label-free estimates per window (the estimated_performance detector), oldest first. */
export interface EstimatedPoint {
  window_start: string;
  window_end: string;
  /** The task the estimate is for (regression for DLE). */
  task: string;
  /** Predictions the window's estimate is over. */
  rows: number;
  metrics: Record<string, EstimatedValue>;
}

/** The suffixes of a metric's rows beside its verdict row (detect-dle.ts resultRows). */
const PARTS = [
  'sampling_error',
  'lower_confidence_boundary',
  'upper_confidence_boundary',
  'lower_threshold',
  'upper_threshold',
] as const;

export async function estimatedPerformanceHistory(
  store: Store,
  scope: HistoryScope,
): Promise<EstimatedPoint[]> {
  const rows = await latestRows(store, 'estimated_performance', scope);
  const points = new Map<string, EstimatedPoint>();
  for (const r of rows) {
    let p = points.get(r.window_end);
    if (!p) {
      p = {
        window_start: r.window_start,
        window_end: r.window_end,
        task: r.kind,
        rows: r.current_size,
        metrics: {},
      };
      points.set(r.window_end, p);
    }
    const part = r.is_verdict ? undefined : PARTS.find((s) => r.statistic.endsWith(`_${s}`));
    const name = part ? r.statistic.slice(0, -part.length - 1) : r.statistic;
    const metric = (p.metrics[name] ??= {
      value: null,
      sampling_error: null,
      lower_confidence_boundary: null,
      upper_confidence_boundary: null,
      lower_threshold: null,
      upper_threshold: null,
      alert: false,
    });
    if (part) metric[part] = r.value;
    else {
      metric.value = r.value;
      metric.alert = r.status === 'alert';
    }
  }
  return [...points.values()];
}
