import type { Store } from '@osprey/db';
import type { KnownReference } from '../../reference/known';
import { resolveReference, type Scope } from '../../reference/resolve';
import type { ResultRow } from '../../results/runs';
import type { ModelSettings } from '../../settings/model-settings';
import { anyLabels } from '../../sql/labels';
import { predictionRows } from '../../sql/rows';
import { isoWindow } from '../../window';
import { ESTIMATE_PARTS } from '../history';
import { dleState } from './dle-cache';
import type { DleMetric, DleState } from './fit-dle';
import { withLabelNum } from './labels-sql';
import { inputParams, inputSql } from './nanny-inputs';
import { confidenceBand, outside, type Bounds } from '../thresholds';
import { ensembleSql } from './trees-sql';

/** One estimated metric of a window, as NannyML's DLE result has it per chunk. */
export interface EstimatedMetric {
  value: number | null;
  sampling_error: number | null;
  lower_confidence_boundary: number | null;
  upper_confidence_boundary: number | null;
  /** The metric on the window's labelled rows; null until labels arrive. */
  realized: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean;
}

export interface DleDocument {
  window: { from: string; to: string };
  method: 'dle';
  task: 'regression';
  /** Why nothing was estimated (no labelled reference, a classifier, …); absent when estimated. */
  reason?: string;
  /** Rows with a numeric prediction in the window, and how many of them have labels. */
  rows: number;
  labelled: number;
  reference?: { key: string; rows: number; labelled: number; trained_rows: number };
  metrics: Partial<Record<DleMetric, EstimatedMetric>>;
}

/**
 * Estimated MAE and RMSE of a regression model's window without labels (NannyML's DLE): each
 * nanny predicts every row's absolute / squared error from its features and prediction, in SQL;
 * the window's estimate is the mean of those predictions clipped at 0 (RMSE: its square root).
 * The nannies are fitted once per reference (fit-dle.ts) — on the whole model's reference, also
 * for a segment's window.
 */
export async function detectDle(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
  /** Whether the model has ever received a label, when the caller knows. */
  labelled?: boolean,
): Promise<{ document: DleDocument; rows: ResultRow[]; referenceKey: string }> {
  const base = {
    window: isoWindow(scope.window),
    method: 'dle' as const,
    task: 'regression' as const,
  };
  const skip = (reason: string, referenceKey = '') => ({
    document: { ...base, reason, rows: 0, labelled: 0, metrics: {} },
    rows: [],
    referenceKey,
  });
  if (settings.task === 'classification') return skip('the model is a classifier (settings.task)');
  const ref = await resolveReference(store, settings, { ...scope, segment: undefined }, known);
  if (!ref) return skip('the model settings name a reference dataset that does not exist');
  if (ref.source === 'previous_window')
    return skip(
      'DLE learns from a fixed labelled reference: log a reference dataset with labels, or choose a time range whose predictions have labels',
    );
  // Labels join on for a time range's rows and the window's, unless the model never had one.
  const withLabels = labelled ?? (await anyLabels(store, [scope.model]));
  const refRows = ref.source === 'dataset' ? ref.rows : withLabelNum(ref.rows, withLabels);
  const state = await dleState(store, scope.model, ref, refRows, {
    regression: settings.task === 'regression',
  });
  if (settings.task === undefined && state.binary_labels)
    return skip(
      'the reference labels are all 0 or 1 (a classifier); set the model task to "regression" to estimate with DLE',
      ref.key,
    );
  if (!state.nannies)
    return skip('the reference has no rows with both a numeric prediction and a label', ref.key);
  const window = await scoreWindow(store, state, scope, withLabels);
  const document: DleDocument = {
    ...base,
    rows: window.n,
    labelled: window.labelled,
    reference: {
      key: ref.key,
      rows: state.rows,
      labelled: state.labelled,
      trained_rows: state.trained_rows,
    },
    metrics: estimatedMetrics(state, window),
  };
  return { document, rows: resultRows(document, state), referenceKey: ref.key };
}

interface ScoredWindow {
  n: number;
  /** Means of the nannies' predictions, clipped at 0: absolute and squared error. */
  abs: number | null;
  squared: number | null;
  labelled: number;
  realized_mae: number | null;
  realized_rmse: number | null;
}

async function scoreWindow(
  store: Store,
  state: DleState,
  scope: Scope,
  labelled: boolean,
): Promise<ScoredWindow> {
  const nannies = state.nannies!;
  const rows = withLabelNum(predictionRows('cur', { ...scope, ...scope.window }), labelled);
  const columns: string[] = [];
  const params: Record<string, string[]> = {};
  const xs = { mae: [] as string[], rmse: [] as string[] };
  state.inputs.forEach((input, j) => {
    if (input.source !== 'cat') {
      columns.push(`${inputSql(input, j)} AS dle_x${j}`);
      xs.mae.push(`dle_x${j}`);
      xs.rmse.push(`dle_x${j}`);
      return;
    }
    for (const metric of ['mae', 'rmse'] as const) {
      const codes = `dle_codes_${metric}_${j}`;
      params[codes] = nannies[metric].categories[j] ?? [];
      columns.push(`${inputSql(input, j, codes)} AS dle_x${j}_${metric}`);
      xs[metric].push(`dle_x${j}_${metric}`);
    }
  });
  const [r] = (await store.query<Record<string, number | string | null>>(
    `SELECT count() AS n,
            avg(greatest(0, ${ensembleSql(nannies.mae.model, xs.mae)})) AS abs,
            avg(greatest(0, ${ensembleSql(nannies.rmse.model, xs.rmse)})) AS squared,
            countIf(label_num IS NOT NULL) AS labelled,
            avgIf(abs(prediction_num - label_num), label_num IS NOT NULL) AS realized_mae,
            sqrt(avgIf(pow(prediction_num - label_num, 2), label_num IS NOT NULL)) AS realized_rmse
     FROM (SELECT prediction_num, label_num, ${columns.join(', ')}
           FROM (${rows.sql}) WHERE prediction_num IS NOT NULL)`,
    { ...rows.params, ...inputParams(state.inputs), ...params },
  )) as [Record<string, number | string | null>];
  const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    n: Number(r.n),
    abs: finite(r.abs),
    squared: finite(r.squared),
    labelled: Number(r.labelled),
    realized_mae: finite(r.realized_mae),
    realized_rmse: finite(r.realized_rmse),
  };
}

/** The finisher: estimates, NannyML's sampling errors and bands, thresholds and alerts. */
export function estimatedMetrics(
  state: DleState,
  w: ScoredWindow,
): Record<DleMetric, EstimatedMetric> {
  const { abs_std, sq_std, sq_mean } = state.sampling;
  const se = {
    mae: w.n > 0 ? abs_std / Math.sqrt(w.n) : null,
    rmse: w.n > 0 && sq_mean > 0 ? Math.sqrt(sq_std ** 2 / (4 * w.n * sq_mean)) : null,
  };
  const value = { mae: w.abs, rmse: w.squared === null ? null : Math.sqrt(w.squared) };
  const realized = { mae: w.realized_mae, rmse: w.realized_rmse };
  const metric = (m: DleMetric): EstimatedMetric => {
    const v = value[m];
    const e = se[m];
    const bounds: Bounds = state.thresholds[m];
    // NannyML's confidence band: the estimate ± 3 sampling errors, not below the metric's 0.
    const band = v !== null && e !== null ? confidenceBand(v, e, { lower: 0 }) : null;
    return {
      value: v,
      sampling_error: e,
      lower_confidence_boundary: band?.lower ?? null,
      upper_confidence_boundary: band?.upper ?? null,
      realized: w.labelled > 0 ? realized[m] : null,
      lower_threshold: bounds.lower,
      upper_threshold: bounds.upper,
      alert: outside(v, bounds),
    };
  };
  return { mae: metric('mae'), rmse: metric('rmse') };
}

function resultRows(document: DleDocument, state: DleState): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const [name, m] of Object.entries(document.metrics)) {
    const common = {
      target: 'model' as const,
      feature: '',
      kind: 'regression',
      reference_size: state.labelled,
      current_size: document.rows,
    };
    const crossed = m.alert && m.lower_threshold !== null && m.value! < m.lower_threshold;
    rows.push({
      ...common,
      statistic: name,
      value: m.value,
      threshold: crossed ? m.lower_threshold : m.upper_threshold,
      is_verdict: true,
      status: m.value === null ? 'unknown' : m.alert ? 'alert' : 'ok',
    });
    // The realized value stays in the document: the dashboard reads it from the performance
    // detector's rows (the same join), as for CBPE.
    for (const key of ESTIMATE_PARTS) {
      if (m[key] !== null) rows.push({ ...common, statistic: `${name}_${key}`, value: m[key] });
    }
  }
  return rows;
}
