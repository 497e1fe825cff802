import type { QueryParams, Store } from '@osprey/db';

/**
 * Thinning keeps the first and last threshold of each of this many equal steps of
 * TPR + FPR (from 0 to 2): at most 2·THIN_BUCKETS + 1 points, and the thinned ROC curve's
 * trapezoid area within 1 / (2·THIN_BUCKETS) of the exact one (see rocAucBound).
 */
export const THIN_BUCKETS = 500;

export interface Curves {
  positives: number;
  negatives: number;
  /** Distinct scores: the exact curves' points (plus their start). */
  thresholds: number;
  /** sklearn's roc_auc_score and average_precision_score, from every threshold. */
  roc_auc: number | null;
  average_precision: number | null;
  /** The thinned curves' own areas, and how far the ROC one may be from the exact by construction. */
  thinned: {
    buckets: number | null;
    points: number;
    roc_auc: number | null;
    average_precision: number | null;
    roc_auc_bound: number;
  };
  /** As sklearn's roc_curve(drop_intermediate=False): from (0, 0) at threshold ∞ (null) down. */
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  /** As sklearn's precision_recall_curve: thresholds ascending, ending at (recall 0, precision 1). */
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
}

/** The ROC area the thinned curve may lose or gain: Σ ΔFPR·ΔTPR / 2 over within-bucket chords. */
export function rocAucBound(buckets: number | null): number {
  return buckets === null ? 0 : 1 / (2 * buckets);
}

/**
 * ROC and precision–recall curves of a binary classifier from `scores` (rows of score, ln ∈
 * {0, 1}). ClickHouse groups the rows by score, accumulates TP and FP down the thresholds,
 * computes the exact AUC and AP over all of them, and returns only the thinned points
 * (`buckets` null: every point).
 */
export async function binaryCurves(
  store: Store,
  scores: string,
  params: QueryParams,
  buckets: number | null = THIN_BUCKETS,
): Promise<Curves> {
  const rows = await store.query<{
    score: number;
    tps: string;
    fps: string;
    P: string;
    N: string;
    auc2: number;
    ap: number;
    distinct: string;
  }>(
    `WITH {thin_k:UInt32} AS k
     SELECT score, tps, fps, P, N, auc2, ap, distinct FROM (
       SELECT *, lagInFrame(b, 1, -1) OVER v AS pb, leadInFrame(b, 1, -1) OVER v AS nb,
              sum(toFloat64(fps - pf) * toFloat64(tps + pt)) OVER () AS auc2,
              sum(toFloat64(tps - pt) * tps / (tps + fps)) OVER () AS ap,
              count() OVER () AS distinct
       FROM (
         SELECT *, lagInFrame(tps, 1, 0) OVER v AS pt, lagInFrame(fps, 1, 0) OVER v AS pf,
                if(k = 0, toInt64(row_number() OVER v),
                   toInt64(floor(k * (if(P = 0, 0, tps / P) + if(N = 0, 0, fps / N)) / 2))) AS b
         FROM (
           SELECT score, sum(pos) OVER w AS tps, sum(neg) OVER w AS fps,
                  sum(pos) OVER () AS P, sum(neg) OVER () AS N
           FROM (SELECT score, countIf(ln = 1) AS pos, countIf(ln != 1) AS neg
                 FROM (${scores}) GROUP BY score)
           WINDOW w AS (ORDER BY score DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
         WINDOW v AS (ORDER BY score DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
       WINDOW v AS (ORDER BY score DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
     WHERE b != pb OR b != nb
     ORDER BY score DESC`,
    { ...params, thin_k: buckets ?? 0 },
  );
  const first = rows[0];
  const P = first ? Number(first.P) : 0;
  const N = first ? Number(first.N) : 0;
  const both = P > 0 && N > 0;
  const points = rows.map((r) => ({ score: r.score, tps: Number(r.tps), fps: Number(r.fps) }));
  const roc = {
    fpr: [0, ...points.map((p) => (N > 0 ? p.fps / N : 0))],
    tpr: [0, ...points.map((p) => (P > 0 ? p.tps / P : 0))],
    thresholds: [null, ...points.map((p) => p.score)],
  };
  const descending = points.map((p) => ({
    precision: p.tps / (p.tps + p.fps),
    recall: P > 0 ? p.tps / P : 1,
  }));
  return {
    positives: P,
    negatives: N,
    thresholds: first ? Number(first.distinct) : 0,
    roc_auc: both ? first!.auc2 / (2 * P * N) : null,
    average_precision: P > 0 ? first!.ap / P : null,
    thinned: {
      buckets,
      points: points.length,
      roc_auc: both ? trapezoid(roc.fpr, roc.tpr) : null,
      average_precision: P > 0 ? stepArea(descending) : null,
      roc_auc_bound: rocAucBound(buckets),
    },
    roc,
    pr: {
      precision: [...descending.map((d) => d.precision).reverse(), 1],
      recall: [...descending.map((d) => d.recall).reverse(), 0],
      thresholds: points.map((p) => p.score).reverse(),
    },
  };
}

function trapezoid(x: number[], y: number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}

/** sklearn's average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over thresholds from the highest. */
function stepArea(points: { precision: number; recall: number }[]): number {
  let area = 0;
  let recall = 0;
  for (const p of points) {
    area += (p.recall - recall) * p.precision;
    recall = p.recall;
  }
  return area;
}
