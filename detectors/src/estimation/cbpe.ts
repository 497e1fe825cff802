import type { Store } from '@osprey/db';
import { knownOf, rowCount, type KnownReference } from '../reference/known';
import { classOrder } from '../performance/class-order';
import { resolveReference, type Reference, type Scope } from '../reference/resolve';
import type { ResultRow } from '../results/runs';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRows, type RowSet } from '../sql/rows';
import { isoWindow } from '../window';
import { binarySums, multiclassSums, type ClassSums } from './estimate-sql';
import {
  BINARY_METRICS,
  fitBinary,
  fitMulticlass,
  MULTICLASS_METRICS,
  type CbpeState,
} from './fit';
import { ESTIMATE_PARTS } from './history';
import { CLASS_NAME, labelledReference, OUTCOME } from './labelled-reference';
import { samplingError } from './sampling-error';
import { loadState, saveState, type CbpeOutcome } from './state-store';
import { confidenceBand, outside, UNIT_INTERVAL } from './thresholds';

/** More classes than this are not estimated (a label that is really an id). */
const MAX_CLASSES = 100;

/** One estimated metric of a window, NannyML's columns. */
export interface Estimate {
  value: number | null;
  sampling_error: number | null;
  lower_confidence_boundary: number | null;
  upper_confidence_boundary: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean;
}

export interface EstimatedPerformance {
  window: { from: string; to: string };
  method: 'cbpe';
  task: 'binary' | 'multiclass' | null;
  /** Scored rows of the window. */
  rows: number;
  /** Multiclass rows whose probability vector does not have one entry per class. */
  skipped?: number;
  reference?: { key: string; labelled_rows: number; chunk_size: number };
  classes?: string[];
  /** Whether each score (binary) or class probability (multiclass) is calibrated. */
  calibrated?: boolean[];
  metrics: Record<string, Estimate>;
  /** Why nothing was estimated. */
  reason?: string;
}

/**
 * CBPE (confidence-based performance estimation, NannyML's): the performance a classifier's
 * window would have once its labels arrive, estimated from its scores alone. Fitted on the
 * labelled reference (calibration, sampling errors, thresholds: fit.ts), then per window the
 * expected confusion matrix and ROC curve of the calibrated probabilities in one ClickHouse
 * aggregate (estimate-sql.ts), finished here into the metrics with their band and alert.
 */
export async function detectCbpe(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
): Promise<{ document: EstimatedPerformance; rows: ResultRow[]; referenceKey: string }> {
  const window = isoWindow(scope.window);
  const none = (reason: string, referenceKey = '') => ({
    document: { window, method: 'cbpe' as const, task: null, rows: 0, metrics: {}, reason },
    rows: [],
    referenceKey,
  });
  if (settings.task === 'regression') return none('a regression model: CBPE estimates classifiers');
  const ref = await resolveReference(store, settings, scope, known);
  if (!ref) return none('the reference dataset chosen for this model does not exist');
  const fitted = await cbpeState(store, scope.model, ref);
  if ('reason' in fitted) return none(fitted.reason, ref.key);
  const state = fitted.state;
  const cur = predictionRows('cur', { ...scope, ...scope.window });
  let sums: ClassSums[];
  let skipped: number | undefined;
  if (state.task === 'binary') {
    sums = [await binarySums(store, cur, state.calibration[0]!)];
  } else {
    ({ classes: sums, skipped } = await multiclassSums(store, cur, state.calibration));
  }
  const n = sums[0]?.n ?? 0;
  const values = n === 0 ? {} : state.task === 'binary' ? binaryEstimates(sums[0]!) : macro(sums);
  const metrics = Object.fromEntries(
    Object.entries(values).map(([m, value]) => [m, estimate(state, m, value, n)]),
  );
  const document: EstimatedPerformance = {
    window,
    method: 'cbpe',
    task: state.task,
    rows: n,
    ...(skipped ? { skipped } : {}),
    reference: { key: ref.key, labelled_rows: state.rows, chunk_size: state.chunk_size },
    ...(state.classes ? { classes: state.classes } : {}),
    calibrated: state.calibration.map((c) => c !== null),
    metrics,
  };
  return { document, rows: resultRows(document), referenceKey: ref.key };
}

/** What the labelled reference holds: scores or vectors, and which labels. */
interface ReferenceShape {
  scores: string;
  vectors: string;
  binary: string;
  classes: string[];
  lengths: string;
  k: number;
}

/** The reference's fitted state, stored or fitted now; or why it cannot be. */
export async function cbpeState(
  store: Store,
  model: string,
  ref: Reference,
): Promise<{ state: CbpeState } | { reason: string }> {
  // A previous-window reference moves with every window: it would be fitted again each time.
  if (ref.source === 'previous_window') {
    return {
      reason:
        'CBPE learns from a labelled reference: log a reference dataset with labels, or choose a labelled time range',
    };
  }
  const rows = labelledReference(ref);
  const n = knownOf(ref)?.scoredLabelled ?? (await rowCount(store, rows));
  if (n === 0) return { reason: 'the reference has no labelled rows' };
  const stored = await loadState(store, model, ref, n);
  if (stored) return stored;
  const outcome = await fitState(store, rows);
  // Keyed by every labelled row, so a reference still being uploaded is fitted again.
  if ('state' in outcome) outcome.state.rows = n;
  await saveState(store, model, ref, outcome, n);
  return outcome;
}

/** The labelled reference's state fitted, or why it cannot be. */
async function fitState(store: Store, rows: RowSet): Promise<CbpeOutcome> {
  const [shape] = (await store.query<ReferenceShape>(
    `SELECT countIf(pn IS NOT NULL) AS scores, countIf(length(pv) > 0) AS vectors,
            countIf(pn IS NOT NULL AND ${OUTCOME} IN (0, 1)) AS binary,
            groupUniqArrayIf(${MAX_CLASSES + 1})(${CLASS_NAME}, length(pv) > 0) AS classes,
            uniqExactIf(length(pv), length(pv) > 0) AS lengths, maxIf(length(pv), length(pv) > 0) AS k
     FROM (${rows.sql})`,
    rows.params,
  )) as [ReferenceShape];
  if (Number(shape.vectors) > 0) {
    const classes = classOrder(shape.classes);
    if (classes.length > MAX_CLASSES) return { reason: `more than ${MAX_CLASSES} classes` };
    if (Number(shape.lengths) !== 1 || Number(shape.k) !== classes.length) {
      return {
        reason: `the reference's probability vectors must have one entry per class: its labels name ${classes.length} classes (${classes.slice(0, 10).join(', ')}), its vectors have ${Number(shape.lengths) === 1 ? shape.k : 'differing numbers of'} entries`,
      };
    }
    if (classes.length < 2) return { reason: 'the reference labels have one class' };
    return { state: await fitMulticlass(store, rows, Number(shape.vectors), classes) };
  }
  if (Number(shape.scores) > 0) {
    if (Number(shape.binary) !== Number(shape.scores)) {
      return { reason: 'a scored reference must be labelled 0 or 1 (binary classification)' };
    }
    return { state: await fitBinary(store, rows, Number(shape.scores)) };
  }
  return { reason: 'the labelled reference has neither scores nor probability vectors' };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

function binaryEstimates(s: ClassSums): Record<string, number | null> {
  return {
    roc_auc: rocAuc(s),
    f1: ratio(s.tp, s.tp + 0.5 * (s.fp + s.fn)),
    precision: ratio(s.tp, s.tp + s.fp),
    recall: ratio(s.tp, s.tp + s.fn),
    accuracy: (s.n - s.fp - s.fn) / s.n,
  };
}

function macro(classes: ClassSums[]): Record<string, number | null> {
  const mean = (f: (s: ClassSums) => number | null) => {
    const v = classes.map(f);
    return v.some((x) => x === null) ? null : v.reduce<number>((a, x) => a + x!, 0) / v.length;
  };
  return {
    roc_auc: mean(rocAuc),
    f1_macro: mean((s) => ratio(s.tp, s.tp + 0.5 * (s.fp + s.fn))),
    precision_macro: mean((s) => ratio(s.tp, s.tp + s.fp)),
    recall_macro: mean((s) => ratio(s.tp, s.tp + s.fn)),
    accuracy: classes.reduce((a, s) => a + s.tp, 0) / classes[0]!.n,
  };
}

function rocAuc(s: ClassSums): number | null {
  const denominator = s.expected * (s.n - s.expected);
  return denominator > 0 ? s.auc_area / denominator : null;
}

function estimate(state: CbpeState, metric: string, value: number | null, n: number): Estimate {
  const components = state.components[metric];
  const se = components && value !== null ? samplingError(components, n) : null;
  const band =
    value !== null && se !== null && Number.isFinite(se)
      ? confidenceBand(value, se, UNIT_INTERVAL)
      : { lower: null, upper: null };
  const bounds = state.thresholds[metric] ?? { lower: null, upper: null };
  return {
    value,
    sampling_error: se !== null && Number.isFinite(se) ? se : null,
    lower_confidence_boundary: band.lower,
    upper_confidence_boundary: band.upper,
    lower_threshold: bounds.lower,
    upper_threshold: bounds.upper,
    alert: outside(value, bounds),
  };
}

/** detector_results rows: the estimate as the verdict, its error, band and bounds as info. */
function resultRows(d: EstimatedPerformance): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const [metric, e] of Object.entries(d.metrics)) {
    const common = { target: 'model' as const, feature: '', kind: d.task!, current_size: d.rows };
    rows.push({
      ...common,
      statistic: metric,
      value: e.value,
      is_verdict: true,
      status: e.value === null ? 'unknown' : e.alert ? 'alert' : 'ok',
      reference_size: d.reference?.labelled_rows,
    });
    for (const part of ESTIMATE_PARTS) {
      rows.push({ ...common, statistic: `${metric}_${part}`, value: e[part] });
    }
  }
  return rows;
}

export { BINARY_METRICS, MULTICLASS_METRICS };
