import { mulberry32 } from '../random';
import { hellinger, jensenShannon, lInfinity, proportions, psi } from './statistics';

/** The binned distances a threshold can be calibrated for. */
export type CalibratedMethod = 'psi' | 'jensen_shannon' | 'hellinger' | 'l_infinity';

const DISTANCES: Record<CalibratedMethod, (p: number[], q: number[]) => number> = {
  psi,
  jensen_shannon: jensenShannon,
  hellinger,
  l_infinity: lInfinity,
};

export function isCalibratedMethod(method: string): method is CalibratedMethod {
  return method in DISTANCES;
}

/**
 * Simulated windows per threshold. The bound's own sampling error is then about 1.5% of it: σ of
 * a distance over ~100 bins is ~6% of its mean, and 3σ is estimated within 7% of itself.
 */
export const CALIBRATION_DRAWS = 100;
const SEED = 16;
const CACHE_SIZE = 2_000;
const cache = new Map<string, number>();

/**
 * The threshold a binned distance gets when thresholds are calibrated on the reference: mean + 3σ
 * (NannyML's StandardDeviation(3)) of the distance between the reference and windows of the
 * same size drawn from the reference itself. A window of m rows and a reference of n independent
 * rows differ by sampling alone as much as the reference's proportions differ from m' = 1/(1/m +
 * 1/n) rows drawn from them, so each simulated window counts Poisson(m'·pᵢ) rows per bin. It is
 * computed at the window's own size on the same bins as the statistic, so sparse bins and small
 * windows need no scaling rule, and it is seeded: the same reference and window size always get
 * the same threshold.
 */
export function calibratedThreshold(
  method: CalibratedMethod,
  referenceCounts: readonly number[],
  windowSize: number,
): number {
  const n = referenceCounts.reduce((a, b) => a + b, 0);
  if (n === 0 || windowSize <= 0) return Number.NaN;
  const key = `${method}|${windowSize}|${referenceCounts.join(',')}`;
  const known = cache.get(key);
  if (known !== undefined) return known;

  const p = proportions(referenceCounts);
  const size = 1 / (1 / windowSize + 1 / n);
  const draw = poissonSampler(mulberry32(SEED));
  const distance = DISTANCES[method];
  const values: number[] = [];
  for (let i = 0; i < CALIBRATION_DRAWS; i++) {
    const counts = p.map((pi) => (pi > 0 ? draw(size * pi) : 0));
    values.push(distance(p, proportions(counts)));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  const threshold = mean + 3 * Math.sqrt(variance);

  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, threshold);
  return threshold;
}

/** Below this mean a count is drawn exactly; above, from the normal with its mean and variance. */
const EXACT_BELOW = 30;

/**
 * Poisson counts, fast enough for thousands of bins per window: Knuth's product of uniforms below
 * a mean of 30 (λ + 1 uniforms on average), the normal approximation above (skewness 1/√λ < 0.19
 * there, and a 3σ bound needs only the first two moments to be right). @stdlib's sampler was
 * measured at 1.6–6.5 µs a draw below λ = 30, a second per window of 20 features.
 */
function poissonSampler(uniform: () => number): (lambda: number) => number {
  return (lambda) => {
    if (lambda < EXACT_BELOW) {
      const floor = Math.exp(-lambda);
      let k = 0;
      for (let product = uniform(); product > floor; product *= uniform()) k++;
      return k;
    }
    // Box–Muller; 1 − u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  };
}
