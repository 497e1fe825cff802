import type { Store } from '@osprey/db';
import { byWindow, latestRows, type HistoryScope } from '../results/history';

/** A window's data quality in one cell: alert when any check of any feature, or the rows, alerts. */
export interface QualityCell {
  window_end: string;
  status: 'alert' | 'ok' | 'unknown';
  /** Share of the window's rows with any problem, and the threshold it is judged against. */
  rows_with_problems: number | null;
  threshold: number | null;
  current_size: number;
  /** The checks that alerted ("feature statistic"), the first few of `alert_count`. */
  alerts: string[];
  alert_count: number;
}

const SHOWN_ALERTS = 6;

/**
 * The data-quality row of the model page's heatmap: per stored window, its share of rows with
 * problems and which checks alerted. Reads only the dataset rows and the alerting ones.
 */
export async function qualityHeatmap(store: Store, scope: HistoryScope): Promise<QualityCell[]> {
  const rows = await latestRows(store, 'quality', scope, [
    "(target = 'model' OR status = 'alert')",
  ]);
  return byWindow(
    rows,
    (r): QualityCell => ({
      window_end: r.window_end,
      status: 'unknown',
      rows_with_problems: null,
      threshold: null,
      current_size: 0,
      alerts: [],
      alert_count: 0,
    }),
    (cell, r) => {
      if (r.target === 'model') {
        cell.rows_with_problems = r.value;
        cell.threshold = r.threshold;
        cell.current_size = r.current_size;
        if (cell.status === 'unknown' && r.status === 'ok') cell.status = 'ok';
      }
      if (r.status === 'alert') {
        cell.status = 'alert';
        cell.alert_count++;
        if (cell.alerts.length < SHOWN_ALERTS)
          cell.alerts.push(
            r.target === 'model' ? 'rows with problems' : `${r.feature} ${r.statistic}`,
          );
      }
    },
  );
}
