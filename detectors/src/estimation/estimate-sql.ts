import type { QueryParams, Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import type { CalibrationMap } from './isotonic';
import { BINARY_CUTOFF } from './realized';

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

/**
 * A calibration map applied in SQL to the score `s`: the map's points as constant arrays
 * (`roundDown` binary-searches the point at or below the score, `transform` looks up its
 * neighbour), linear between them, clipped to their range. No map: the score as it is.
 */
export function calibratedSql(
  s: string,
  map: CalibrationMap | null,
  name: string,
  params: QueryParams,
): string {
  if (!map) return s;
  const arr = (suffix: string, values: number[]) => {
    params[`${name}_${suffix}`] = values;
    return `{${name}_${suffix}:Array(Float64)}`;
  };
  const xs = arr('x', map.x);
  const ys = arr('y', map.y);
  // Each point's right-hand neighbour (the last point its own), derived here rather than sent.
  const next = (a: string) => `arrayPushBack(arrayPopFront(${a}), ${a}[-1])`;
  const x0 = `roundDown(${s}, ${xs})`;
  const at = (values: string) => `transform(${x0}, ${xs}, ${values}, 0)`;
  const y0 = at(ys);
  const x1 = at(next(xs));
  const y1 = at(next(ys));
  return `if(${x1} = ${x0}, ${y0},
    ${y0} + (${y1} - ${y0}) * (least(greatest(${s}, ${x0}), ${x1}) - ${x0}) / (${x1} - ${x0}))`;
}

/**
 * The expected confusion sums and ROC area over groups of identical scores (`s`, `m` rows, `p`
 * calibrated, `pred` the predicted class) of one class, ordered by s descending: m rows of equal p
 * add (1 − p)(m·C + p·m²/2) to the area, whatever their order.
 */
const SUMS = `sum(m) AS n, sumIf(p * m, pred) AS tp, sumIf((1 - p) * m, pred) AS fp,
              sumIf(p * m, NOT pred) AS fn, sum(p * m) AS expected,
              sum((1 - p) * (m * cum + p * m * m / 2)) AS auc_area`;

/** CBPE's sums for a binary classifier's window (scores in prediction_num). */
export async function binarySums(
  store: Store,
  rows: RowSet,
  map: CalibrationMap | null,
): Promise<ClassSums> {
  const params: QueryParams = { ...rows.params };
  const [r] = await store.query<Record<keyof ClassSums, number | string>>(
    `SELECT ${SUMS}
     FROM (
       SELECT p, m, s >= ${BINARY_CUTOFF} AS pred,
              sum(p * m) OVER (ORDER BY s DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS cum
       FROM (
         SELECT s, m, ${calibratedSql('s', map, 'est_map', params)} AS p
         FROM (SELECT assumeNotNull(prediction_num) AS s, count() AS m FROM (${rows.sql})
               WHERE prediction_num IS NOT NULL GROUP BY s)))`,
    params,
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
  const params: QueryParams = { ...rows.params, est_k: k };
  const q = maps.map((map, c) => calibratedSql(`v[${c + 1}]`, map, `est_map${c}`, params));
  // One row of arrays, each class's sums from it: sorting an array by another (arraySort with
  // two arrays) is several times faster here than a window function partitioned by class.
  const perClass = maps.map((_, i) => {
    const c = i + 1;
    const pred = (sum: string) => `arraySum(arrayMap((q, m, y) -> if(${sum}, 0), cals, ms, yh))`;
    // (p·m, (1 − p)·m, raw score) by raw score descending, split where the score changes: rows
    // of one score form one step of the ROC curve, as the area's expectation over their orders.
    const sorted = `arraySort((x, k) -> -k,
      arrayZip(arrayMap((q, m) -> q[${c}] * m, cals, ms), arrayMap((q, m) -> (1 - q[${c}]) * m, cals, ms),
               arrayMap(v -> v[${c}], vs)) AS z${c}, arrayMap(t -> t.3, z${c}))`;
    const steps = `arraySplit((t, first) -> first, ${sorted} AS s${c},
      arrayMap((d, j) -> j = 1 OR d != 0, arrayDifference(arrayMap(t -> t.3, s${c})) AS d${c},
               arrayEnumerate(d${c})))`;
    const tpSteps = `arrayMap(g -> arraySum(arrayMap(t -> t.1, g)), ${steps} AS g${c})`;
    const fpSteps = `arrayMap(g -> arraySum(arrayMap(t -> t.2, g)), g${c})`;
    return `tuple(arraySum(ms),
      ${pred(`y = ${c}, q[${c}] * m`)}, ${pred(`y = ${c}, (1 - q[${c}]) * m`)},
      ${pred(`y != ${c}, q[${c}] * m`)}, arraySum(arrayMap((q, m) -> q[${c}] * m, cals, ms)),
      arraySum(arrayMap((f, p, after) -> f * (after - p / 2), ${fpSteps}, ${tpSteps} AS p${c},
                        arrayCumSum(p${c}))))`;
  });
  const [row] = await store.query<{ sums: [number, number, number, number, number, number][] }>(
    `SELECT [${perClass.join(',\n')}] AS sums
     FROM (
       SELECT groupArray(v) AS vs, groupArray(m) AS ms, groupArray(yhat) AS yh, groupArray(cal) AS cals
       FROM (
         SELECT v, m, yhat, arraySum(q) AS total,
                if(total > 0, arrayMap(x -> x / total, q), arrayMap(x -> 1 / {est_k:UInt32}, q)) AS cal
         FROM (
           SELECT v, m, arrayFirstIndex(x -> x = arrayMax(v), v) AS yhat, [${q.join(',\n')}] AS q
           FROM (SELECT arrayMap(x -> toFloat64(x), prediction_vec) AS v, count() AS m
                 FROM (${rows.sql}) WHERE length(prediction_vec) = {est_k:UInt32} GROUP BY v))))`,
    params,
  );
  const classes = (row?.sums ?? []).map(([n, tp, fp, fn, expected, auc_area]) =>
    numbers({ n, tp, fp, fn, expected, auc_area }),
  );
  const [skip] = await store.query<{ skipped: string }>(
    `SELECT countIf(length(prediction_vec) != {est_k:UInt32}) AS skipped FROM (${rows.sql})`,
    params,
  );
  return { classes, skipped: Number(skip?.skipped ?? 0) };
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
