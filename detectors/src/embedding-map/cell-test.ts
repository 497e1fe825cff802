import { twoSidedNormalP } from '../drift/special';

/** One-sided tail of a 3σ normal deviation: a cell differs when its tail is below this. */
export const CELL_ALPHA = 0.00135;

export interface CellTest {
  /** Rows of the cell expected in the window were it drawn like the reference. */
  expected: number;
  /** The one-sided tail in the observed direction: P(X ≥ w) when w is above expected, else P(X ≤ w). */
  p_value: number;
  region: 'over' | 'under' | null;
}

/**
 * Whether a grid cell holds more (or fewer) of the window's rows than the reference's share
 * predicts. Conditional on the cell's r + w rows, w is Binomial(r + w, W / (R + W)) when both sides
 * are drawn alike — the exact test of two Poisson counts, which stays honest in the sparse cells
 * where a new region first shows (a z-test calls 2 window rows in an empty cell significant).
 * Past a variance of 25 the normal approximation (with continuity correction) is used.
 */
export function cellTest(r: number, R: number, w: number, W: number): CellTest {
  const n = r + w;
  const p = W / (R + W);
  const expected = n * p;
  if (n === 0 || W === 0 || R === 0) return { expected, p_value: 1, region: null };
  const variance = n * p * (1 - p);
  const above = w >= expected;
  let tail: number;
  if (variance >= 25) {
    const z = (Math.abs(w - expected) - 0.5) / Math.sqrt(variance);
    tail = z <= 0 ? 0.5 : twoSidedNormalP(z) / 2;
  } else {
    tail = binomialTail(w, n, p, above);
  }
  const region = tail < CELL_ALPHA ? (above ? 'over' : 'under') : null;
  return { expected, p_value: Math.min(1, tail), region };
}

/** P(X ≥ k) (upper) or P(X ≤ k) for X ~ Binomial(n, p), summing the pmf from log space. */
export function binomialTail(k: number, n: number, p: number, upper: boolean): number {
  const logPmf = (j: number) => logChoose(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p);
  let sum = 0;
  const [from, to] = upper ? [k, n] : [0, k];
  for (let j = from; j <= to; j++) sum += Math.exp(logPmf(j));
  return sum;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const LOG_FACTORIALS = [0];
function logFactorial(n: number): number {
  for (let i = LOG_FACTORIALS.length; i <= n; i++) {
    LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1]! + Math.log(i));
  }
  return LOG_FACTORIALS[n]!;
}
