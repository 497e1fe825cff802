import { rocAuc } from './calibration';
import type { ScorePoints } from './isotonic';
import type { Confusion } from './sampling-error';

/**
 * Realized performance of a labelled reference chunk, which the alert thresholds are fitted on
 * (NannyML computes it with scikit-learn; NaN where it does: one class among the labels, or, for
 * F1, precision and recall, one among the predictions).
 */
export type Realized = Record<string, number | null>;

/** Predicted class 1 when the score is at least this. */
export const BINARY_CUTOFF = 0.5;

export function binaryConfusion(points: ScorePoints): Confusion {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  points.x.forEach((x, g) => {
    const pos = points.positives[g]!;
    const neg = points.n[g]! - pos;
    if (x >= BINARY_CUTOFF) {
      c.tp += pos;
      c.fp += neg;
    } else {
      c.fn += pos;
      c.tn += neg;
    }
  });
  return c;
}

export function binaryRealized(points: ScorePoints): Realized {
  const c = binaryConfusion(points);
  const n = c.tp + c.fp + c.fn + c.tn;
  const oneLabel = c.tp + c.fn === 0 || c.tp + c.fn === n;
  const onePrediction = c.tp + c.fp === 0 || c.tp + c.fp === n;
  const skip = oneLabel || onePrediction;
  return {
    roc_auc: oneLabel ? null : rocAuc(points),
    f1: skip ? null : ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    precision: skip ? null : ratio(c.tp, c.tp + c.fp),
    recall: skip ? null : ratio(c.tp, c.tp + c.fn),
    accuracy: n === 0 ? null : (c.tp + c.tn) / n,
  };
}

/**
 * `cells[label][predicted]` counts and each class's scores against its labels; macro averages
 * over every class of the reference (scikit-learn's labels=classes).
 */
export function multiclassRealized(cells: number[][], scores: ScorePoints[]): Realized {
  const k = cells.length;
  const perClass = oneVsRest(cells);
  const n = perClass[0] ? perClass[0].tp + perClass[0].fp + perClass[0].fn + perClass[0].tn : 0;
  const labels = perClass.filter((c) => c.tp + c.fn > 0).length;
  const predictions = perClass.filter((c) => c.tp + c.fp > 0).length;
  const skip = labels <= 1 || predictions <= 1;
  const macro = (f: (c: Confusion) => number) =>
    skip ? null : perClass.reduce((a, c) => a + f(c), 0) / k;
  const aucs = scores.map(rocAuc);
  return {
    roc_auc:
      labels < k || aucs.some((a) => a === null)
        ? null
        : aucs.reduce<number>((a, v) => a + v!, 0) / k,
    f1_macro: macro((c) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)),
    precision_macro: macro((c) => ratio(c.tp, c.tp + c.fp)),
    recall_macro: macro((c) => ratio(c.tp, c.tp + c.fn)),
    accuracy: skip || n === 0 ? null : perClass.reduce((a, c) => a + c.tp, 0) / n,
  };
}

export function oneVsRest(cells: number[][]): Confusion[] {
  const n = cells.flat().reduce((a, v) => a + v, 0);
  return cells.map((_, k) => {
    const tp = cells[k]![k]!;
    const fn = cells[k]!.reduce((a, v) => a + v, 0) - tp;
    const fp = cells.reduce((a, row) => a + row[k]!, 0) - tp;
    return { tp, fp, fn, tn: n - tp - fp - fn };
  });
}

/** scikit-learn's zero_division: 0 where the denominator is. */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
