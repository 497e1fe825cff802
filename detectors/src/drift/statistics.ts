// Drift statistics finished in TypeScript from numbers ClickHouse aggregated (bin and category
// counts). Definitions follow scipy and Evidently; detectors/fixtures/generate_fixtures.py computes
// the same ones with scipy for the tests.
import { chiSquareSf, twoSidedNormalP } from './special';

/** Evidently's smoothing: an empty bin counts as 0.0001 so the logarithm stays finite. */
const PSI_EPSILON = 0.0001;

/** Counts to proportions of their total. */
export function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** Population stability index, current q against reference p. */
export function psi(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! === 0 ? PSI_EPSILON : p[i]!;
    const b = q[i]! === 0 ? PSI_EPSILON : q[i]!;
    sum += (b - a) * Math.log(b / a);
  }
  return sum;
}

/** Jensen–Shannon distance (natural log), as scipy.spatial.distance.jensenshannon. */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) divergence += p[i]! * Math.log(p[i]! / m);
    if (q[i]! > 0) divergence += q[i]! * Math.log(q[i]! / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** Hellinger distance: sqrt(1 - Σ sqrt(p q)). */
export function hellinger(p: readonly number[], q: readonly number[]): number {
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt(p[i]! * q[i]!);
  return Math.sqrt(Math.max(0, 1 - bc));
}

/** Largest difference in any category's share. */
export function lInfinity(p: readonly number[], q: readonly number[]): number {
  let max = 0;
  for (let i = 0; i < p.length; i++) max = Math.max(max, Math.abs(p[i]! - q[i]!));
  return max;
}

/**
 * Pearson's chi-square goodness of fit of the current counts to the reference frequencies, as
 * scipy.stats.chisquare(f_obs=current, f_exp=reference * n_current / n_reference): a category the
 * reference never saw makes the statistic infinite and the p-value 0.
 */
export function chiSquare(
  reference: readonly number[],
  current: readonly number[],
): { statistic: number; pValue: number } {
  const nR = reference.reduce((a, b) => a + b, 0);
  const nC = current.reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const expected = (reference[i]! * nC) / nR;
    const observed = current[i]!;
    if (expected === 0) {
      if (observed > 0) statistic = Infinity;
    } else statistic += (observed - expected) ** 2 / expected;
  }
  const df = reference.length - 1;
  return { statistic, pValue: df < 1 ? 1 : chiSquareSf(statistic, df) };
}

/**
 * Two-proportion z-test with the pooled proportion (Evidently's z-test for binary features):
 * x of n in the reference against y of m in the current window. Identical shares of 0 or 1 give
 * z = 0 and p = 1.
 */
export function twoProportionZ(x: number, n: number, y: number, m: number): number {
  const pooled = (x + y) / (n + m);
  if (pooled === 0 || pooled === 1) return 1;
  const z = (x / n - y / m) / Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m));
  return twoSidedNormalP(z);
}
