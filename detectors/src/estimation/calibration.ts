import { mulberry32 } from '../random';
import { fitIsotonic, calibrate, type CalibrationMap, type ScorePoints } from './isotonic';

/** NannyML's needs_calibration: 10 stratified splits with 10% held out, ECE in 10 bins. */
const SPLITS = 10;
const TEST_SHARE = 0.1;
const ECE_BINS = 10;
/** Scores this good are left alone (a near-perfect ranking leaves nothing to calibrate). */
const MAX_AUC = 0.999;
const SEED = 42;

/**
 * The isotonic map when calibrating helps, else null (the scores are used as they are). NannyML's
 * rule (nannyml/calibration.py): not for one class or a ROC AUC above 0.999; else fit on 90% of
 * the reference and score the other 10%, ten times over stratified random splits, and calibrate
 * only if the expected calibration error of the pooled held-out rows falls. The splits are ours
 * (a seeded generator, not scikit-learn's StratifiedShuffleSplit), so a reference whose two ECEs
 * are nearly equal can decide the other way; the map itself is fitted on the whole reference.
 */
export function fitCalibration(points: ScorePoints): CalibrationMap | null {
  return needsCalibration(points) ? fitIsotonic(points) : null;
}

export function needsCalibration(points: ScorePoints): boolean {
  const positives = sum(points.positives);
  const rows = sum(points.n);
  if (positives === 0 || positives === rows) return false;
  if ((rocAuc(points) ?? 0) > MAX_AUC) return false;

  const random = mulberry32(SEED);
  // Row r of class k is its group's row: rowsOf[k][r] = group index.
  const rowsOf = [0, 1].map((k) => {
    const out = new Int32Array(k === 1 ? positives : rows - positives);
    let at = 0;
    points.x.forEach((_, g) => {
      const m = k === 1 ? points.positives[g]! : points.n[g]! - points.positives[g]!;
      out.fill(g, at, at + m);
      at += m;
    });
    return out;
  });
  const pooled: { raw: number[]; calibrated: number[]; label: number[] } = {
    raw: [],
    calibrated: [],
    label: [],
  };
  for (let split = 0; split < SPLITS; split++) {
    const held = points.x.map(() => [0, 0]);
    for (const k of [0, 1]) {
      const all = rowsOf[k]!;
      const take = Math.round(all.length * TEST_SHARE);
      // A partial Fisher–Yates shuffle: the first `take` rows are a uniform random sample.
      for (let i = 0; i < take; i++) {
        const j = i + Math.floor(random() * (all.length - i));
        const t = all[i]!;
        all[i] = all[j]!;
        all[j] = t;
        held[all[i]!]![k]! += 1;
      }
    }
    const train: ScorePoints = {
      x: points.x,
      n: points.n.map((n, g) => n - held[g]![0]! - held[g]![1]!),
      positives: points.positives.map((p, g) => p - held[g]![1]!),
    };
    const map = fitIsotonic(train);
    points.x.forEach((x, g) => {
      const c = calibrate(map, x);
      for (const k of [0, 1]) {
        for (let i = 0; i < held[g]![k]!; i++) {
          pooled.raw.push(x);
          pooled.calibrated.push(c);
          pooled.label.push(k);
        }
      }
    });
  }
  // Rows of equal probability fall into the bins in random order, as under numpy's unstable sort.
  const tieBreak = pooled.raw.map(() => random());
  const before = expectedCalibrationError(pooled.raw, pooled.label, tieBreak);
  const after = expectedCalibrationError(pooled.calibrated, pooled.label, tieBreak);
  return before > after;
}

/**
 * ECE over equal-count bins of the rows sorted by probability (NannyML's
 * _calculate_expected_calibration_error: bins of ⌊n/10⌋ rows, the remainder in the last).
 */
export function expectedCalibrationError(
  probability: number[],
  label: number[],
  tieBreak?: number[],
): number {
  const n = probability.length;
  let bins = ECE_BINS;
  if (n <= 2 * bins) bins = Math.floor(n / 2);
  if (bins < 1) return 0;
  const width = Math.floor(n / bins);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => probability[a]! - probability[b]! || (tieBreak ? tieBreak[a]! - tieBreak[b]! : 0),
  );
  const edges: number[] = [];
  for (let e = 0; e <= n; e += width) edges.push(e);
  edges[edges.length - 1] = n;
  let ece = 0;
  for (let b = 0; b + 1 < edges.length; b++) {
    let p = 0;
    let y = 0;
    for (let i = edges[b]!; i < edges[b + 1]!; i++) {
      p += probability[order[i]!]!;
      y += label[order[i]!]!;
    }
    const m = edges[b + 1]! - edges[b]!;
    ece += (m / n) * Math.abs(p / m - y / m);
  }
  return ece;
}

/** ROC AUC of grouped scores, ties counted half (scikit-learn's roc_auc_score). */
export function rocAuc(points: ScorePoints): number | null {
  const positives = sum(points.positives);
  const negatives = sum(points.n) - positives;
  if (positives === 0 || negatives === 0) return null;
  let below = 0;
  let area = 0;
  points.x.forEach((_, g) => {
    const pos = points.positives[g]!;
    const neg = points.n[g]! - pos;
    area += pos * (below + neg / 2);
    below += neg;
  });
  return area / (positives * negatives);
}

function sum(values: number[]): number {
  return values.reduce((a, v) => a + v, 0);
}
