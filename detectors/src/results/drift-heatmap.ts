import { Tables, type Store } from '@osprey/db';
import { latestRows, latestRunsOf, type HistoryScope } from './history';

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
  /**
   * Window starts and ends of the runs found, oldest first, with what each was compared with
   * (`reference`: "dataset validation", "previous window", "range", or "" for none).
   */
  windows: { from: string; to: string; reference: string }[];
  /**
   * The most drifted features first (at most `limit`), then 'prediction'; `dataset` holds the
   * dataset-drift verdicts.
   */
  rows: { feature: string; target: 'feature' | 'prediction'; kind: string; cells: DriftCell[] }[];
  dataset: DriftCell[];
  /** Features with verdicts in the range, and how many of them the search matched. */
  features: { total: number; matching: number };
}

export interface HeatmapOptions {
  /** Feature rows to return (default 50). */
  limit?: number;
  /** Only features whose name holds this, ignoring case; an exact match comes first. */
  search?: string;
}

const statusOf = (s: string): DriftStatus => (s === 'drift' || s === 'ok' ? s : 'unknown');

interface Ranked {
  feature: string;
  matches: number;
  matching: string;
  total: string;
}

/**
 * Features × windows of drift verdicts, from the stored runs (no detection happens here). A model
 * may log thousands of features: ClickHouse ranks them — drifting in its latest window, then by
 * the number of windows that drifted, then by the Jensen–Shannon distance of its latest window
 * (stored for numbers and categories alike, and unlike a p-value it does not bottom out at 0) —
 * and only the top rows' cells are read.
 */
export async function driftHeatmap(
  store: Store,
  scope: HistoryScope,
  opts: HeatmapOptions = {},
): Promise<DriftHeatmap> {
  const runs = await latestRunsOf(store, 'drift', scope);
  const ranked = await store.query<Ranked>(
    `SELECT feature, matches,
            countIf(matches) OVER () AS matching, count() OVER () AS total
     FROM (
       SELECT feature,
              argMaxIf(status = 'drift', window_end, is_verdict) AS drifting_last,
              countIf(is_verdict AND status = 'drift') AS drifted_windows,
              argMaxIf(value, window_end, statistic = 'jensen_shannon') AS distance_last,
              feature = {search:String} AS exact,
              positionCaseInsensitiveUTF8(feature, {search:String}) > 0 AS matches
       FROM ${Tables.detectorResults}
       WHERE ${runs.where} AND target = 'feature'
       GROUP BY feature
     )
     ORDER BY matches DESC, exact DESC, drifting_last DESC, drifted_windows DESC,
              distance_last DESC NULLS LAST, feature
     LIMIT {limit:UInt32}`,
    { ...runs.params, search: opts.search ?? '', limit: opts.limit ?? 50 },
  );
  const shown = ranked.filter((r) => Boolean(r.matches)).map((r) => r.feature);
  const rows = await latestRows(
    store,
    'drift',
    scope,
    ['is_verdict', "(target != 'feature' OR feature IN {features:Array(String)})"],
    { features: shown },
  );
  const referenceOf = new Map(runs.windows.map((w) => [w.to, referenceLabel(w.reference_key)]));
  const windows = new Map<string, DriftHeatmap['windows'][number]>();
  const features = new Map<string, DriftHeatmap['rows'][number]>();
  const dataset: DriftCell[] = [];
  for (const r of rows) {
    windows.set(r.window_end, {
      from: r.window_start,
      to: r.window_end,
      reference: referenceOf.get(Date.parse(r.window_end)) ?? '',
    });
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
  const order = new Map(shown.map((f, i) => [f, i]));
  const sorted = [...features.values()].sort(
    (a, b) =>
      Number(a.target === 'prediction') - Number(b.target === 'prediction') ||
      order.get(a.feature)! - order.get(b.feature)!,
  );
  return {
    windows: [...windows.values()].sort((a, b) => a.to.localeCompare(b.to)),
    rows: sorted,
    dataset,
    features: { total: Number(ranked[0]?.total ?? 0), matching: Number(ranked[0]?.matching ?? 0) },
  };
}

/** A run's reference key (see Reference.key) in words, for the heatmap's column titles. */
function referenceLabel(key: string): string {
  const [what = ''] = key.split('|');
  if (what.startsWith('dataset:')) return `dataset ${what.slice('dataset:'.length)}`;
  if (what.startsWith('window:')) return 'previous window';
  if (what.startsWith('range:')) return 'range';
  return '';
}
