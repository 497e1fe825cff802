import type { QueryParams, Store } from '@osprey/db';
import { LABEL_CLASS } from '../performance/performance';
import { scoreSummary, type CalibrationBin } from './calibration';
import { binaryCurves, type Curves } from './curves';

/** Past this many classes the per-class curves are not drawn (each costs two statements). */
export const MAX_CURVE_CLASSES = 20;

export interface ClassCurves {
  /** The class; its scores are entry i of prediction_vec, i its rank in the sorted classes. */
  label: string;
  curves: Curves;
  /** Null when a probability lies outside [0, 1]. */
  calibration: { uniform: CalibrationBin[]; quantile: CalibrationBin[] } | null;
}

export interface MulticlassCurves {
  /** Labelled rows with a probability vector: the rows every curve is computed on. */
  rows: number;
  /** One-vs-rest, in the confusion matrix's class order. */
  classes: ClassCurves[];
  /** scikit-learn's roc_auc_score(multi_class='ovr', average='macro'): the classes' mean AUC. */
  roc_auc_macro: number | null;
  /** average_precision_score(label_binarize(y), scores, average='macro'). */
  average_precision_macro: number | null;
  /** Why there are no curves. */
  reason?: string;
}

/**
 * One-vs-rest ROC, precision–recall and calibration curves of a multiclass model, from the
 * probability vectors of its labelled rows (`labelled`: performance.ts's labelledPredictions):
 * class i's score is prediction_vec[i], i its rank in `classes` (the labels sorted, as
 * CBPE reads the vectors too), and its positives the rows labelled with it.
 * Each class runs through the binary curves and calibration unchanged.
 */
export async function multiclassCurves(
  store: Store,
  labelled: string,
  params: QueryParams,
  classes: string[],
  buckets: number | null,
): Promise<MulticlassCurves> {
  const [shape] = (await store.query<{ rows: string; lengths: string; k: string }>(
    `SELECT count() AS rows, uniqExact(length(pv)) AS lengths, max(length(pv)) AS k
     FROM (${labelled}) WHERE length(pv) > 0`,
    params,
  )) as [{ rows: string; lengths: string; k: string }];
  const rows = Number(shape.rows);
  const k = Number(shape.k);
  const none = (reason: string): MulticlassCurves => ({
    rows,
    classes: [],
    roc_auc_macro: null,
    average_precision_macro: null,
    reason,
  });
  if (rows === 0) return none('the labelled predictions carry no probability vectors');
  if (Number(shape.lengths) !== 1) return none('the probability vectors differ in length');
  if (k !== classes.length) {
    return none(
      `the probability vectors have ${k} entries but the labels and predictions name ${classes.length} classes (${classes.slice(0, 10).join(', ')}); entry i is the i-th class in sorted order`,
    );
  }
  if (k > MAX_CURVE_CLASSES) return none(`more than ${MAX_CURVE_CLASSES} classes`);
  const out: ClassCurves[] = [];
  for (const [i, label] of classes.entries()) {
    const scores = `SELECT toFloat64(pv[${i + 1}]) AS score,
                           toFloat64(${LABEL_CLASS} = {ovr_class:String}) AS ln
                    FROM (${labelled}) WHERE length(pv) = ${k}`;
    const classParams = { ...params, ovr_class: label };
    const curves = await binaryCurves(store, scores, classParams, buckets);
    const { calibration } = await scoreSummary(store, scores, classParams);
    out.push({ label, curves, calibration });
  }
  return {
    rows,
    classes: out,
    roc_auc_macro: mean(out.map((c) => c.curves.roc_auc)),
    average_precision_macro: mean(out.map((c) => c.curves.average_precision)),
  };
}

function mean(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, v) => a + v, 0) / values.length;
}
