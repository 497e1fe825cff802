import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import { segmentLabel, type Segment } from '../sql/rows';
import type { Window } from '../window';

export type DetectorName =
  | 'drift'
  | 'latency'
  | 'errors'
  | 'throughput'
  | 'performance'
  | 'estimated_performance'
  | 'multivariate_drift'
  | 'embedding_drift'
  | 'quality';

/** One statistic of a run, as a detector_results row (see db/migrations/0010_detector_results.sql). */
export interface ResultRow {
  target: 'feature' | 'prediction' | 'model' | 'embedding';
  feature: string;
  kind: string;
  statistic: string;
  value: number | null;
  p_value?: number | null;
  threshold?: number | null;
  is_verdict?: boolean;
  status?: string;
  reference_size?: number;
  current_size?: number;
}

export interface RunScope {
  model: string;
  window: Window;
  version?: string;
  segment?: Segment;
}

/** One detector's outcome for a window, as saveRuns stores it. */
export interface RunToSave {
  detector: DetectorName;
  referenceKey: string;
  document: object;
  rows: ResultRow[];
}

/**
 * Stores one detector's run of one window: its rows, then the run with its document. Readers
 * take the latest run of a window, so a recompute replaces what an earlier one said.
 */
export function saveRun(
  store: Store,
  scope: RunScope,
  detector: DetectorName,
  referenceKey: string,
  document: object,
  rows: ResultRow[],
): Promise<void> {
  return saveRuns(store, scope, [{ detector, referenceKey, document, rows }]);
}

/**
 * Stores several detectors' runs of one window: every result row in one insert, then every run in
 * one insert, so a process killed part-way leaves all of the window's runs or none (rows without
 * a run are never read: readers go through detector_runs). Detection resumes from the runs, so a
 * window is then detected again in full, never in part.
 */
export function saveRuns(store: Store, scope: RunScope, runs: readonly RunToSave[]): Promise<void> {
  return saveRunsOf(store, [{ scope, runs }]);
}

/** saveRuns for the windows of several scopes at once (a batch of models): two inserts in all. */
export async function saveRunsOf(
  store: Store,
  scopes: readonly { scope: RunScope; runs: readonly RunToSave[] }[],
): Promise<void> {
  const results: object[] = [];
  const stored: object[] = [];
  for (const { scope, runs } of scopes) {
    const common = {
      model: scope.model,
      window_start: scope.window.from,
      window_end: scope.window.to,
      version: scope.version ?? '',
      segment: segmentLabel(scope.segment),
    };
    for (const { detector, referenceKey, document, rows } of runs) {
      const run_id = randomUUID();
      for (const r of rows) {
        results.push({
          ...common,
          run_id,
          detector,
          ...r,
          value: finiteOrNull(r.value),
          p_value: finiteOrNull(r.p_value),
          threshold: r.threshold ?? null,
          is_verdict: r.is_verdict ?? false,
          status: r.status ?? 'info',
          reference_size: r.reference_size ?? 0,
          current_size: r.current_size ?? 0,
        });
      }
      stored.push({
        ...common,
        run_id,
        detector,
        reference_key: referenceKey,
        document: JSON.stringify(document),
      });
    }
  }
  if (results.length > 0) await store.insert(Tables.detectorResults, results);
  if (stored.length > 0) await store.insert(Tables.detectorRuns, stored);
}

function finiteOrNull(v: number | null | undefined): number | null {
  return v === undefined || v === null || !Number.isFinite(v) ? null : v;
}

/**
 * The latest stored document of a detector: for the window [from, to) when given, else the most
 * recent window.
 */
export async function latestRun(
  store: Store,
  opts: {
    model: string;
    detector: DetectorName;
    window?: Window;
    version?: string;
    segment?: Segment;
  },
): Promise<object | undefined> {
  const where = [
    'model = {model:String}',
    'detector = {detector:String}',
    'version = {version:String}',
    'segment = {segment:String}',
  ];
  if (opts.window) {
    where.push(
      "window_start = fromUnixTimestamp64Milli({from:Int64}, 'UTC')",
      "window_end = fromUnixTimestamp64Milli({to:Int64}, 'UTC')",
    );
  }
  const rows = await store.query<{ document: string }>(
    `SELECT document FROM ${Tables.detectorRuns} WHERE ${where.join(' AND ')}
     ORDER BY window_end DESC, computed_at DESC LIMIT 1`,
    {
      model: opts.model,
      detector: opts.detector,
      version: opts.version ?? '',
      segment: segmentLabel(opts.segment),
      from: opts.window?.from ?? 0,
      to: opts.window?.to ?? 0,
    },
  );
  return rows[0] ? (JSON.parse(rows[0].document) as object) : undefined;
}

/**
 * The end of the latest window a detector has a run for (for backfilling after downtime): of the
 * whole model, or with `segments` of any of its segments. A run computed before its window ended
 * (POST …/detect on the current window) does not count: the scheduler still detects that window
 * once it has closed.
 */
export async function lastWindowEnd(
  store: Store,
  model: string,
  detector: DetectorName,
  opts: { segments?: boolean } = {},
): Promise<number | undefined> {
  const rows = await store.query<{ end: string | null }>(
    `SELECT toUnixTimestamp64Milli(max(window_end)) AS end FROM ${Tables.detectorRuns}
     WHERE model = {model:String} AND detector = {detector:String} AND version = ''
       AND segment ${opts.segments ? "!= ''" : "= ''"}
       AND computed_at >= window_end
     HAVING count() > 0`,
    { model, detector },
  );
  return rows[0]?.end ? Number(rows[0].end) : undefined;
}

/**
 * The windows of each model (whole model, all versions) that a detector has a run for since
 * `since`, by start: what the scheduler need not detect again. A run computed before its window
 * ended does not count, as in lastWindowEnd.
 */
export async function detectedWindowStarts(
  store: Store,
  models: readonly string[],
  detector: DetectorName,
  since: number,
): Promise<Map<string, Set<number>>> {
  const rows = await store.query<{ model: string; starts: (string | number)[] }>(
    `SELECT model, groupUniqArray(toUnixTimestamp64Milli(window_start)) AS starts
     FROM ${Tables.detectorRuns}
     WHERE model IN {models:Array(String)} AND detector = {detector:String} AND version = ''
       AND segment = '' AND computed_at >= window_end
       AND window_start >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     GROUP BY model`,
    { models, detector, since },
  );
  return new Map(rows.map((r) => [r.model, new Set(r.starts.map(Number))]));
}
