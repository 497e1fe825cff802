import type { ScorePoints } from './isotonic';

/**
 * Sampling errors of CBPE's estimates as NannyML derives them
 * (nannyml/sampling_error/binary_classification.py, multiclass_classification.py): components
 * fitted once on the labelled reference, scaled by the window's row count. Every component here
 * is a closed form of the reference's confusion counts, except ROC AUC's, which needs its scores.
 */
export type SamplingErrorComponents =
  /** SE = std / √(n · fraction) */
  | { kind: 'single'; std: number; fraction: number }
  /** SE = factor · √(Σ_c variance_c / (n · fraction_c)) / K, one-vs-rest per class */
  | { kind: 'classes'; variances: number[]; fractions: number[]; factor: number };

export function samplingError(c: SamplingErrorComponents, n: number): number {
  if (c.kind === 'single') return c.std / Math.sqrt(n * c.fraction);
  const total = c.variances.reduce((a, v, i) => a + v / (n * c.fractions[i]!), 0);
  return (c.factor * Math.sqrt(total)) / c.variances.length;
}

/** A reference's confusion counts, one class against the rest. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const bernoulliVariance = (hits: number, of: number) => {
  const q = of === 0 ? NaN : hits / of;
  return q * (1 - q);
};

/** Binary F1, precision, recall and accuracy (NannyML's *_sampling_error_components). */
export function binaryComponents(c: Confusion): Record<string, SamplingErrorComponents> {
  const n = c.tp + c.fp + c.fn + c.tn;
  const relevant = c.tp + c.fp + c.fn;
  // F1's row-level values are 0 or a correcting factor that makes their mean the F1.
  const factor = relevant / (0.5 * (c.fp + c.fn) + c.tp);
  return {
    f1: {
      kind: 'single',
      std: factor * Math.sqrt(bernoulliVariance(c.tp, relevant)),
      fraction: relevant / n,
    },
    precision: {
      kind: 'single',
      std: Math.sqrt(bernoulliVariance(c.tp, c.tp + c.fp)),
      fraction: (c.tp + c.fp) / n,
    },
    recall: {
      kind: 'single',
      std: Math.sqrt(bernoulliVariance(c.tp, c.tp + c.fn)),
      fraction: (c.tp + c.fn) / n,
    },
    accuracy: { kind: 'single', std: Math.sqrt(bernoulliVariance(c.tp + c.tn, n)), fraction: 1 },
  };
}

/** Macro F1, precision and recall over one-vs-rest counts per class; accuracy from the diagonal. */
export function multiclassComponents(
  perClass: Confusion[],
  correct: number,
  n: number,
): Record<string, SamplingErrorComponents> {
  const classes = (variance: (c: Confusion) => number, fraction: (c: Confusion) => number) =>
    ({
      kind: 'classes',
      variances: perClass.map(variance),
      fractions: perClass.map(fraction),
      factor: 1,
    }) as const;
  return {
    f1_macro: classes(
      (c) => bernoulliVariance(c.tp, c.tp + c.fp + c.fn),
      (c) => (c.tp + c.fp + c.fn) / n,
    ),
    precision_macro: classes(
      (c) => bernoulliVariance(c.tp, c.tp + c.fp),
      (c) => (c.tp + c.fp) / n,
    ),
    recall_macro: classes(
      (c) => bernoulliVariance(c.tp, c.tp + c.fn),
      (c) => (c.tp + c.fn) / n,
    ),
    accuracy: { kind: 'single', std: Math.sqrt(bernoulliVariance(correct, n)), fraction: 1 },
  };
}

/**
 * ROC AUC's component from the reference's grouped scores: per positive, the share of negatives
 * ranked below it (classes swapped when positives are the majority); its population variance and
 * the positives' share. NannyML ranks tied scores in numpy's unstable sort order; here a tie
 * counts its negatives half below each positive and adds the variance a random order would
 * (m(m+2)/12 for m tied negatives), so the result depends on the data alone. On the car-loan
 * reference (101 distinct scores) this gives σ 0.3% below NannyML's.
 */
export function aucComponent(points: ScorePoints): { variance: number; fraction: number } {
  const rows = points.n.reduce((a, v) => a + v, 0);
  let positives = points.positives.reduce((a, v) => a + v, 0);
  const swap = positives / rows > 0.5;
  let groups = points.x.map((_, g) => ({
    pos: swap ? points.n[g]! - points.positives[g]! : points.positives[g]!,
    neg: swap ? points.positives[g]! : points.n[g]! - points.positives[g]!,
  }));
  if (swap) {
    groups = groups.reverse(); // 1 - score ranks the other way
    positives = rows - positives;
  }
  const negatives = rows - positives;
  let below = 0;
  let sum = 0;
  let sumSquares = 0;
  let ties = 0;
  for (const { pos, neg } of groups) {
    const share = (below + neg / 2) / negatives;
    sum += pos * share;
    sumSquares += pos * share * share;
    ties += (pos * (neg * (neg + 2))) / 12 / (negatives * negatives);
    below += neg;
  }
  const mean = sum / positives;
  return {
    variance: sumSquares / positives - mean * mean + ties / positives,
    fraction: positives / rows,
  };
}
