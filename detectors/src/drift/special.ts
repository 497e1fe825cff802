// Tail probabilities from @stdlib's special functions (ports of Boost's), accurate far into the
// tails: a p-value of 1e-30 comes out as such, not as 1 - cdf rounded to 0.
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';

/** P(X > x) for X ~ chi-square with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/** P(|Z| > |z|) for a standard normal Z: the two-sided p-value of a z statistic. */
export function twoSidedNormalP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}
