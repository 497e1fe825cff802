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

/**
 * P(K > x) for the Kolmogorov distribution (the limit of sqrt(n)·D): 2 Σ (-1)^(k-1) e^(-2k²x²),
 * which converges fast for x ≥ 0.2; below that the complementary series is used.
 */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  if (x < 0.2) return 1;
  if (x < 1) {
    // 1 - sqrt(2π)/x Σ e^(-(2k-1)²π²/(8x²)), accurate where the alternating series is slow.
    let sum = 0;
    for (let k = 1; k <= 8; k++)
      sum += Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * x * x));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-300) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
