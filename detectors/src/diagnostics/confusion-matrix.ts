import type { QueryParams, Store } from '@osprey/db';

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

/**
 * The confusion matrix of the labelled rows (performance.ts's labelledPredictions): binary,
 * label 0/1 against score ≥ 0.5, always 2×2; multiclass, the text (or number) label against the
 * predicted label, over every class either side names.
 */
export async function confusionMatrix(
  store: Store,
  labelled: string,
  params: QueryParams,
  binary: boolean,
): Promise<ConfusionMatrix> {
  const cells = await store.query<{ label: string; predicted: string; n: string }>(
    binary
      ? `SELECT toString(toUInt8(ln)) AS label, toString(toUInt8(pn >= ${BINARY_THRESHOLD})) AS predicted,
                count() AS n
         FROM (${labelled}) WHERE pn IS NOT NULL GROUP BY label, predicted`
      : `SELECT coalesce(ls, toString(ln)) AS label, coalesce(pl, toString(pn)) AS predicted,
                count() AS n
         FROM (${labelled}) GROUP BY label, predicted`,
    params,
  );
  const labels = binary ? ['0', '1'] : classOrder(cells.flatMap((c) => [c.label, c.predicted]));
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const c of cells) matrix[index.get(c.label)!]![index.get(c.predicted)!]! += Number(c.n);
  return { labels, matrix, threshold: binary ? BINARY_THRESHOLD : null };
}

/** numpy.unique's order: numbers by value when every class is one, else by code point. */
export function classOrder(names: string[]): string[] {
  const unique = [...new Set(names)];
  const numeric = unique.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric
    ? unique.sort((a, b) => Number(a) - Number(b))
    : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
