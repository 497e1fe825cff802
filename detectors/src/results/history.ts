import { Tables, type QueryParams, type Store } from '@osprey/db';
import { segmentLabel, type Segment } from '../sql/rows';
import { newestWindows } from './newest-windows';
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

/** A window readers show: its latest run, and the key of the reference that run compared with. */
export interface KeptWindow {
  run_id: string;
  reference_key: string;
  from: number;
  to: number;
  computedAt: number;
}

/**
 * The scope's SQL conditions and parameters: the latest run of each window of one detector, and
 * where stored windows overlap, only the most recently computed (newestWindows), so every reader
 * sees one set of windows.
 */
export async function latestRunsOf(
  store: Store,
  detector: DetectorName,
  scope: HistoryScope,
): Promise<{ where: string; params: QueryParams; windows: KeptWindow[] }> {
  const params = {
    model: scope.model,
    detector,
    version: scope.version ?? '',
    segment: segmentLabel(scope.segment),
    from: scope.from,
    to: scope.to,
  };
  const inRange = `model = {model:String} AND detector = {detector:String}
       AND window_end > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND window_start < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
  const windows = await store.query<{
    run_id: string;
    reference_key: string;
    start: string;
    end: string;
    at: string;
  }>(
    `SELECT argMax(run_id, computed_at) AS run_id, argMax(reference_key, computed_at) AS reference_key,
            toUnixTimestamp64Milli(window_start) AS start, toUnixTimestamp64Milli(window_end) AS end,
            toUnixTimestamp64Milli(max(computed_at)) AS at
     FROM ${Tables.detectorRuns}
     WHERE ${inRange} AND version = {version:String} AND segment = {segment:String}
     GROUP BY window_start, window_end`,
    params,
  );
  const kept = newestWindows(
    windows.map((w) => ({
      run_id: w.run_id,
      reference_key: w.reference_key,
      from: Number(w.start),
      to: Number(w.end),
      computedAt: Number(w.at),
    })),
  );
  return {
    where: `${inRange} AND run_id IN {runs:Array(UUID)}`,
    params: { ...params, runs: kept.map((w) => w.run_id) },
    windows: kept,
  };
}

/**
 * The rows of the latest run of each window of one detector (a recompute adds a newer run, which
 * replaces the older one's rows), oldest window first. `where` narrows the rows further.
 */
export async function latestRows(
  store: Store,
  detector: DetectorName,
  scope: HistoryScope,
  where: string[] = [],
  params: QueryParams = {},
): Promise<StoredStatistic[]> {
  const runs = await latestRunsOf(store, detector, scope);
  const rows = await store.query<Row>(
    `SELECT toUnixTimestamp64Milli(window_start) AS start_ms,
            toUnixTimestamp64Milli(window_end) AS end_ms,
            target, feature, kind, statistic, value, p_value, threshold, is_verdict, status,
            reference_size, current_size
     FROM ${Tables.detectorResults}
     WHERE ${runs.where} ${where.map((w) => `AND ${w}`).join(' ')}
     ORDER BY window_start, target, feature, statistic`,
    { ...params, ...runs.params },
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
  return byWindow(
    rows,
    (r): PerformancePoint => ({
      window_start: r.window_start,
      window_end: r.window_end,
      task: r.kind,
      labelled: r.current_size,
      metrics: {},
    }),
    (p, r) => {
      p.metrics[r.statistic] = r.value;
    },
  );
}

/**
 * Stored rows folded into one point per window (keyed by window_end), in the rows' order: `start`
 * makes a window's point from its first row, `add` folds every row (the first included) into it.
 */
export function byWindow<P>(
  rows: readonly StoredStatistic[],
  start: (r: StoredStatistic) => P,
  add: (point: P, r: StoredStatistic) => void,
): P[] {
  const points = new Map<string, P>();
  for (const r of rows) {
    let p = points.get(r.window_end);
    if (p === undefined) {
      p = start(r);
      points.set(r.window_end, p);
    }
    add(p, r);
  }
  return [...points.values()];
}
