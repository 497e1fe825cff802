import type { Store } from '@osprey/db';
import { latestRows, type HistoryScope } from '../../results/history';

/** An estimated metric of one window, as its stored result rows have it. */
export interface EstimatedValue {
  value: number | null;
  alert: boolean;
  sampling_error?: number;
  lower_confidence_boundary?: number;
  upper_confidence_boundary?: number;
  realized?: number;
  lower_threshold?: number;
  upper_threshold?: number;
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
  'realized',
  'lower_threshold',
  'upper_threshold',
] as const;

export async function estimatedPerformanceHistory(
  store: Store,
  scope: HistoryScope,
): Promise<EstimatedPoint[]> {
  const rows = await latestRows(store, 'estimated_performance', scope);
  const points = new Map<string, EstimatedPoint>();
  for (const r of rows.filter((row) => row.is_verdict)) {
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
    p.metrics[r.statistic] = { value: r.value, alert: r.status === 'alert' };
  }
  for (const r of rows.filter((row) => !row.is_verdict)) {
    const part = PARTS.find((k) => r.statistic.endsWith(`_${k}`));
    const metric =
      part && points.get(r.window_end)?.metrics[r.statistic.slice(0, -part.length - 1)];
    if (metric && part && r.value !== null) metric[part] = r.value;
  }
  return [...points.values()];
}
