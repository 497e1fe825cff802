/**
 * Isotonic calibration as scikit-learn's IsotonicRegression(out_of_bounds='clip') fits and
 * predicts it: scores averaged per distinct value, pool-adjacent-violators with the counts as
 * weights, then only the points where the fit changes kept, and a score mapped by linear
 * interpolation between them, clipped to the fitted range.
 */

/** A model's scores grouped by distinct value, ascending: rows and positives per value. */
export interface ScorePoints {
  x: number[];
  n: number[];
  positives: number[];
}

/** The fitted map: calibrate(s) interpolates linearly between (x[i], y[i]). */
export interface CalibrationMap {
  x: number[];
  y: number[];
}

/** scikit-learn merges scores closer than float64's resolution into one (_make_unique). */
const RESOLUTION = 1e-15;

export function fitIsotonic(points: ScorePoints): CalibrationMap {
  const xs: number[] = [];
  const weights: number[] = [];
  const sums: number[] = [];
  for (let i = 0; i < points.x.length; i++) {
    if (points.n[i]! <= 0) continue;
    const last = xs.length - 1;
    if (last >= 0 && points.x[i]! - xs[last]! < RESOLUTION) {
      weights[last]! += points.n[i]!;
      sums[last]! += points.positives[i]!;
    } else {
      xs.push(points.x[i]!);
      weights.push(points.n[i]!);
      sums.push(points.positives[i]!);
    }
  }
  const ys = pav(
    sums.map((s, i) => s / weights[i]!),
    weights,
  );
  const keep = ys.map(
    (y, i) => i === 0 || i === ys.length - 1 || y !== ys[i - 1] || y !== ys[i + 1],
  );
  return { x: xs.filter((_, i) => keep[i]), y: ys.filter((_, i) => keep[i]) };
}

/** Weighted pool-adjacent-violators: the non-decreasing fit closest to y in weighted squares. */
function pav(y: number[], w: number[]): number[] {
  const value: number[] = [];
  const weight: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < y.length; i++) {
    value.push(y[i]!);
    weight.push(w[i]!);
    size.push(1);
    while (value.length > 1 && value[value.length - 2]! > value[value.length - 1]!) {
      const v = value.pop()!;
      const wt = weight.pop()!;
      const s = size.pop()!;
      const j = value.length - 1;
      const total = weight[j]! + wt;
      value[j] = (value[j]! * weight[j]! + v * wt) / total;
      weight[j] = total;
      size[j]! += s;
    }
  }
  return value.flatMap((v, j) => Array<number>(size[j]!).fill(v));
}

export function calibrate(map: CalibrationMap, s: number): number {
  const { x, y } = map;
  if (x.length === 1 || s <= x[0]!) return y[0]!;
  if (s >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= s) lo = mid;
    else hi = mid;
  }
  return y[lo]! + ((y[hi]! - y[lo]!) * (s - x[lo]!)) / (x[hi]! - x[lo]!);
}
