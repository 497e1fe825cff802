import type { QueryParams, Store } from '@osprey/db';
import { classOrder } from '../performance/class-order';
import { LABEL_CLASS, PREDICTED_CLASS } from '../performance/performance';

export interface ConfusionMatrix {
  /** Class names, in sklearn's order (sorted; numerically when all are numbers). */
  labels: string[];
  /** matrix[i][j]: rows whose label is labels[i] and prediction labels[j] (sklearn's layout). */
  matrix: number[][];
  /** The score at or above which a binary prediction is class 1; null for multiclass. */
  threshold: number | null;
}

/** Scores ≥ 0.5 are class 1, as the performance detector counts them. */
export const BINARY_THRESHOLD = 0.5;

/** The 2×2 matrix of a binary classifier from its counts (labels 0, 1; class 1 when score ≥ 0.5). */
export function binaryMatrix(c: {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}): ConfusionMatrix {
  return {
    labels: ['0', '1'],
    matrix: [
      [c.tn, c.fp],
      [c.fn, c.tp],
    ],
    threshold: BINARY_THRESHOLD,
  };
}

/**
 * The confusion matrix of a multiclass model's labelled rows (performance.ts's
 * labelledPredictions): the text (or number) label against the predicted label, over every class
 * either side names.
 */
export async function multiclassMatrix(
  store: Store,
  labelled: string,
  params: QueryParams,
): Promise<ConfusionMatrix> {
  const cells = await store.query<{ label: string; predicted: string; n: string }>(
    `SELECT ${LABEL_CLASS} AS label, assumeNotNull(${PREDICTED_CLASS}) AS predicted, count() AS n
     FROM (${labelled}) WHERE ${PREDICTED_CLASS} IS NOT NULL GROUP BY label, predicted`,
    params,
  );
  const labels = classOrder(cells.flatMap((c) => [c.label, c.predicted]));
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const c of cells) matrix[index.get(c.label)!]![index.get(c.predicted)!]! += Number(c.n);
  return { labels, matrix, threshold: null };
}
