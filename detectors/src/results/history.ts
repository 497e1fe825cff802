import { Tables, type QueryParams, type Store } from '@osprey/db';
import { segmentLabel, type Segment } from '../sql/rows';
import type { DetectorName } from './runs';

/** Which stored runs to read: a model's windows overlapping [from, to), of one version/segment. */
export interface HistoryScope {
  model: string;
  from: number;
  to: number;
  version?: string;
  segment?: Segment;
}

/** One statistic of the latest run of a window (a detector_results row). */
export interface StoredStatistic {
  window_start: string;
  window_end: string;
  target: 'feature' | 'prediction' | 'model';
  feature: string;
  kind: string;
  statistic: string;
  value: number | null;
  p_value: number | null;
  threshold: number | null;
  is_verdict: boolean;
  status: string;
  reference_size: number;
  current_size: number;
}

interface Row extends Omit<StoredStatistic, 'window_start' | 'window_end' | 'is_verdict'> {
  start_ms: string;
  end_ms: string;
  is_verdict: boolean | number;
  reference_size: number;
  current_size: number;
}

/**
 * The rows of the latest run of each window of one detector (a recompute adds a newer run, which
 * replaces the older one's rows), oldest window first. `where` narrows the rows further.
 */
async function latestRows(
  store: Store,
  detector: DetectorName,
  scope: HistoryScope,
  where: string[] = [],
  params: QueryParams = {},
): Promise<StoredStatistic[]> {
  const runs = `SELECT argMax(run_id, computed_at) FROM ${Tables.detectorRuns}
    WHERE model = {model:String} AND detector = {detector:String}
      AND version = {version:String} AND segment = {segment:String}
      AND window_end > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
      AND window_start < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
    GROUP BY window_start, window_end`;
  const rows = await store.query<Row>(
    `SELECT toUnixTimestamp64Milli(window_start) AS start_ms,
            toUnixTimestamp64Milli(window_end) AS end_ms,
            target, feature, kind, statistic, value, p_value, threshold, is_verdict, status,
            reference_size, current_size
     FROM ${Tables.detectorResults}
     WHERE model = {model:String} AND detector = {detector:String}
       AND window_end > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND window_start < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       AND run_id IN (${runs}) ${where.map((w) => `AND ${w}`).join(' ')}
     ORDER BY window_start, target, feature, statistic`,
    {
      ...params,
      model: scope.model,
      detector,
      version: scope.version ?? '',
      segment: segmentLabel(scope.segment),
      from: scope.from,
      to: scope.to,
    },
  );
  return rows.map(({ start_ms, end_ms, ...r }) => ({
    ...r,
    window_start: new Date(Number(start_ms)).toISOString(),
    window_end: new Date(Number(end_ms)).toISOString(),
    is_verdict: Boolean(r.is_verdict),
    reference_size: Number(r.reference_size),
    current_size: Number(r.current_size),
  }));
}

export type DriftStatus = 'ok' | 'drift' | 'unknown';

/** A drift verdict of one feature (or the prediction, or the dataset) in one window. */
export interface DriftCell {
  window_end: string;
  status: DriftStatus;
  statistic: string;
  value: number | null;
  threshold: number | null;
  current_size: number;
}

export interface DriftHeatmap {
  /** Window starts and ends of the runs found, oldest first. */
  windows: { from: string; to: string }[];
  /** One row per feature, then 'prediction'; `dataset` holds the dataset-drift verdicts. */
  rows: { feature: string; target: 'feature' | 'prediction'; kind: string; cells: DriftCell[] }[];
  dataset: DriftCell[];
}

const statusOf = (s: string): DriftStatus => (s === 'drift' || s === 'ok' ? s : 'unknown');

/** Features × windows of drift verdicts, from the stored runs (no detection happens here). */
export async function driftHeatmap(store: Store, scope: HistoryScope): Promise<DriftHeatmap> {
  const rows = await latestRows(store, 'drift', scope, ['is_verdict']);
  const windows = new Map<string, { from: string; to: string }>();
  const features = new Map<string, DriftHeatmap['rows'][number]>();
  const dataset: DriftCell[] = [];
  for (const r of rows) {
    windows.set(r.window_end, { from: r.window_start, to: r.window_end });
    const cell: DriftCell = {
      window_end: r.window_end,
      status: statusOf(r.status),
      statistic: r.statistic,
      value: r.p_value ?? r.value,
      threshold: r.threshold,
      current_size: r.current_size,
    };
    if (r.target === 'model') {
      dataset.push(cell);
      continue;
    }
    const name = r.target === 'prediction' ? 'prediction' : r.feature;
    let row = features.get(name);
    if (!row) {
      row = { feature: name, target: r.target, kind: r.kind, cells: [] };
      features.set(name, row);
    }
    row.cells.push(cell);
  }
  const sorted = [...features.values()].sort(
    (a, b) =>
      Number(a.target === 'prediction') - Number(b.target === 'prediction') ||
      a.feature.localeCompare(b.feature),
  );
  return { windows: [...windows.values()], rows: sorted, dataset };
}

/** Every statistic stored for one feature ('prediction' for the prediction) across windows. */
export async function featureDriftHistory(
  store: Store,
  scope: HistoryScope & { feature: string },
): Promise<StoredStatistic[]> {
  const prediction = scope.feature === 'prediction';
  return latestRows(
    store,
    'drift',
    scope,
    [prediction ? "target = 'prediction'" : "target = 'feature' AND feature = {feature:String}"],
    { feature: scope.feature },
  );
}

/** Model performance per window: the metrics of each window's labelled predictions. */
export interface PerformancePoint {
  window_start: string;
  window_end: string;
  task: string;
  labelled: number;
  metrics: Record<string, number | null>;
}

export async function performanceHistory(
  store: Store,
  scope: HistoryScope,
): Promise<PerformancePoint[]> {
  const rows = await latestRows(store, 'performance', scope);
  const points = new Map<string, PerformancePoint>();
  for (const r of rows) {
    let p = points.get(r.window_end);
    if (!p) {
      p = {
        window_start: r.window_start,
        window_end: r.window_end,
        task: r.kind,
        labelled: r.current_size,
        metrics: {},
      };
      points.set(r.window_end, p);
    }
    p.metrics[r.statistic] = r.value;
  }
  return [...points.values()];
}
