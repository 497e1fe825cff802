import type { QueryParams, Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import type { CalibrationMap } from './isotonic';
import { BINARY_CUTOFF } from './realized';

/**
 * The calibration map applied in SQL: linear interpolation between the map's points, found by
 * the first point above the score, clipped to its range. `xs`/`ys` are Array(Float64)
 * expressions; empty arrays leave the score as it is.
 */
function calibrated(s: string, xs: string, ys: string): string {
  const i = `arrayFirstIndex(x -> x > ${s}, ${xs})`;
  return `if(empty(${xs}), ${s},
    if(${s} <= ${xs}[1], ${ys}[1],
      if(${s} >= ${xs}[-1], ${ys}[-1],
        ${ys}[${i} - 1] + (${ys}[${i}] - ${ys}[${i} - 1]) * (${s} - ${xs}[${i} - 1])
                        / (${xs}[${i}] - ${xs}[${i} - 1]))))`;
}

/** Sums of the calibrated probabilities a window's expected confusion matrix is made of. */
export interface ClassSums {
  /** Rows scored. */
  n: number;
  /** Σ p over rows predicted as the class, Σ (1 − p) over them, Σ p over the others. */
  tp: number;
  fp: number;
  fn: number;
  /** Σ p: the expected number of the class's rows. */
  expected: number;
  /**
   * Σ_j (1 − p_j)(C_j + p_j / 2) over rows ordered by the uncalibrated score, descending, where C_j
   * is Σ p of the rows before j: the trapezoids of the expected ROC curve, unnormalised.
   */
  auc_area: number;
}

const mapParams = (maps: (CalibrationMap | null)[]): QueryParams => ({
  est_xs: maps.map((m) => m?.x ?? []),
  est_ys: maps.map((m) => m?.y ?? []),
});

/** CBPE's sums for a binary classifier's window (scores in prediction_num). */
export async function binarySums(
  store: Store,
  rows: RowSet,
  map: CalibrationMap | null,
): Promise<ClassSums> {
  const [r] = await store.query<Record<keyof ClassSums, number | string>>(
    `SELECT count() AS n, sumIf(p, pred) AS tp, sumIf(1 - p, pred) AS fp, sumIf(p, NOT pred) AS fn,
            sum(p) AS expected, sum((1 - p) * (c + p / 2)) AS auc_area
     FROM (
       SELECT p, s >= ${BINARY_CUTOFF} AS pred,
              sum(p) OVER (ORDER BY s DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS c
       FROM (
         SELECT s, ${calibrated('s', '{est_xs:Array(Array(Float64))}[1]', '{est_ys:Array(Array(Float64))}[1]')} AS p
         FROM (SELECT assumeNotNull(prediction_num) AS s FROM (${rows.sql}) WHERE prediction_num IS NOT NULL)))`,
    { ...rows.params, ...mapParams([map]) },
  );
  return numbers(r!);
}

/**
 * CBPE's sums per class of a multiclass classifier's window (probabilities in prediction_vec, in
 * class order): each class's score calibrated by its map, the row's calibrated vector renormalised
 * to sum 1 (uniform where it sums to 0), the predicted class the first of highest raw score.
 * Rows whose vector is not one probability per class are left out (`skipped`).
 */
export async function multiclassSums(
  store: Store,
  rows: RowSet,
  maps: (CalibrationMap | null)[],
): Promise<{ classes: ClassSums[]; skipped: number }> {
  const k = maps.length;
  const params = { ...rows.params, ...mapParams(maps), est_k: k };
  const xs = '{est_xs:Array(Array(Float64))}';
  const ys = '{est_ys:Array(Array(Float64))}';
  const perClass = await store.query<Record<keyof ClassSums | 'c', number | string>>(
    `SELECT c, count() AS n, sumIf(pc, pred) AS tp, sumIf(1 - pc, pred) AS fp, sumIf(pc, NOT pred) AS fn,
            sum(pc) AS expected, sum((1 - pc) * (cum + pc / 2)) AS auc_area
     FROM (
       SELECT c, pc, pred,
              sum(pc) OVER (PARTITION BY c ORDER BY s DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS cum
       FROM (
         SELECT c, v[c] AS s, p[c] AS pc, yhat = c AS pred
         FROM (
           SELECT v, yhat, arraySum(q) AS total,
                  if(total > 0, arrayMap(x -> x / total, q), arrayMap(x -> 1 / {est_k:UInt32}, q)) AS p
           FROM (
             SELECT v, arrayFirstIndex(x -> x = arrayMax(v), v) AS yhat,
                    arrayMap(c -> ${calibrated('v[c]', `${xs}[c]`, `${ys}[c]`)}, range(1, {est_k:UInt32} + 1)) AS q
             FROM (SELECT arrayMap(x -> toFloat64(x), prediction_vec) AS v FROM (${rows.sql})
                   WHERE length(prediction_vec) = {est_k:UInt32})))
         ARRAY JOIN range(1, {est_k:UInt32} + 1) AS c))
     GROUP BY c ORDER BY c`,
    params,
  );
  const [skip] = await store.query<{ skipped: string }>(
    `SELECT countIf(length(prediction_vec) != {est_k:UInt32}) AS skipped FROM (${rows.sql})`,
    params,
  );
  return { classes: perClass.map(numbers), skipped: Number(skip?.skipped ?? 0) };
}

function numbers(r: Record<string, number | string>): ClassSums {
  return {
    n: Number(r.n ?? 0),
    tp: Number(r.tp ?? 0),
    fp: Number(r.fp ?? 0),
    fn: Number(r.fn ?? 0),
    expected: Number(r.expected ?? 0),
    auc_area: Number(r.auc_area ?? 0),
  };
}
