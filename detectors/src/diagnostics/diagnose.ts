import type { Store } from '@osprey/db';
import { labelledPredictions, labelledTask, type Task } from '../performance/performance';
import type { Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRows, segmentLabel } from '../sql/rows';
import { isoWindow } from '../window';
import { scoreSummary, type CalibrationBin } from './calibration';
import { multiclassCurves, type MulticlassCurves } from './class-curves';
import { binaryMatrix, multiclassMatrix, type ConfusionMatrix } from './confusion-matrix';
import { binaryCurves, THIN_BUCKETS, type Curves } from './curves';
import { regressionSummary, type Grid, type Histogram } from './regression';
import { MIN_SEGMENT_ROWS, segmentPerformance, type SegmentPerformance } from './segments';

export interface Diagnostics {
  window: { from: string; to: string };
  model: string;
  version: string | null;
  segment: string | null;
  /** As the performance detector decides it (settings, else the labels). */
  task: Task;
  /** Predictions in the window that have a label: everything below is computed on them. */
  labelled: number;
  confusion_matrix: ConfusionMatrix | null;
  /** Binary classifiers with scores in [0, 1]. */
  calibration: { uniform: CalibrationBin[]; quantile: CalibrationBin[] } | null;
  /** Binary classifiers. */
  curves: Curves | null;
  /** Multiclass classifiers: one-vs-rest curves from the probability vectors. */
  class_curves: MulticlassCurves | null;
  residuals: Histogram | null;
  predicted_vs_actual: Grid | null;
  segments: SegmentPerformance | null;
}

export interface DiagnoseOptions {
  /** Segments with fewer labelled rows are listed last (default MIN_SEGMENT_ROWS). */
  minSegmentRows?: number;
  /** Curve thinning (default THIN_BUCKETS); null returns every threshold. */
  curveBuckets?: number | null;
}

/**
 * What a person looks at to see where a model fails, for one window (any range) of a model, from
 * its predictions that have labels: the confusion matrix, calibration, ROC and precision–recall
 * curves of a classifier, the residuals of a regression model, and performance per tag value.
 * Computed on demand (labels arrive late) with ClickHouse aggregates; nothing is stored.
 */
export async function diagnose(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  opts: DiagnoseOptions = {},
): Promise<Diagnostics> {
  const cur = predictionRows('cur', { ...scope, ...scope.window });
  const labelled = labelledPredictions(cur);
  const { task, n, params, vectors } = await labelledTask(
    store,
    settings,
    scope,
    labelled,
    cur.params,
  );
  const base = {
    window: isoWindow(scope.window),
    model: scope.model,
    version: scope.version ?? null,
    segment: scope.segment ? segmentLabel(scope.segment) : null,
    task,
    labelled: n,
  };
  const none = {
    confusion_matrix: null,
    calibration: null,
    curves: null,
    class_curves: null,
    residuals: null,
    predicted_vs_actual: null,
    segments: null,
  };
  if (n === 0) return { ...base, ...none };
  const buckets = opts.curveBuckets === undefined ? THIN_BUCKETS : opts.curveBuckets;
  const segments = await segmentPerformance(
    store,
    labelled,
    params,
    task,
    settings.segments,
    opts.minSegmentRows ?? MIN_SEGMENT_ROWS,
  );
  if (task === 'regression') {
    const rows = `SELECT assumeNotNull(pn) AS pn, assumeNotNull(ln) AS ln FROM (${labelled})
                  WHERE pn IS NOT NULL AND ln IS NOT NULL`;
    const summary = await regressionSummary(store, rows, params);
    return {
      ...base,
      ...none,
      residuals: summary?.residuals ?? null,
      predicted_vs_actual: summary?.grid ?? null,
      segments,
    };
  }
  if (task === 'multiclass') {
    const confusion = await multiclassMatrix(store, labelled, params);
    const classes = vectors?.classes.length ? vectors.classes : confusion.labels;
    const curves = await multiclassCurves(store, labelled, params, classes, buckets);
    return { ...base, ...none, confusion_matrix: confusion, class_curves: curves, segments };
  }
  const scores = `SELECT assumeNotNull(pn) AS score, toFloat64(assumeNotNull(ln)) AS ln
                  FROM (${labelled}) WHERE pn IS NOT NULL`;
  const summary = await scoreSummary(store, scores, params);
  return {
    ...base,
    ...none,
    confusion_matrix: binaryMatrix(summary.counts),
    calibration: summary.calibration,
    curves: await binaryCurves(store, scores, params, buckets),
    segments,
  };
}
