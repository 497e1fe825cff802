import { describe, expect, it } from 'vitest';
import { mulberry32 as random } from '../random';
import { calibratedThreshold } from './calibrated-threshold';
import { jensenShannon, proportions } from './statistics';

/** Counts of `size` rows drawn from `p` (inverse CDF per row, by binary search). */
function sample(p: number[], size: number, rand: () => number): number[] {
  const cdf: number[] = [];
  p.reduce((sum, x) => (cdf.push(sum + x), sum + x), 0);
  const counts = p.map(() => 0);
  for (let i = 0; i < size; i++) {
    const u = rand() * cdf.at(-1)!;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < cdf[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts;
}

describe('calibratedThreshold', () => {
  // 150 bins with a thin tail, as numpy's 'auto' rule cuts a skewed feature of 20,000 rows.
  const p = proportions(Array.from({ length: 150 }, (_, i) => Math.exp(-i / 25)));

  it('lets through few windows that differ from the reference by sampling alone, and is no looser', () => {
    const rand = random(7);
    const ratios: number[] = [];
    for (let t = 0; t < 200; t++) {
      // The reference is a sample too: both sides are drawn, as in production.
      const reference = sample(p, 20_000, rand);
      const window = sample(p, 15_000, rand);
      const threshold = calibratedThreshold('jensen_shannon', reference, 15_000);
      ratios.push(jensenShannon(proportions(reference), proportions(window)) / threshold);
    }
    // mean + 3σ of a right-skewed distance lets a few in a thousand through; the rule on tenths
    // of the reference that this replaced let 9% through on this shape.
    expect(ratios.filter((r) => r >= 1).length / ratios.length).toBeLessThan(0.02);
    // A distance's σ is ~6% of its mean over 150 bins: a typical window sits ~1/(1 + 3·0.06) of
    // the way to the threshold, not far below it (a threshold that sees nothing passes the above).
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(mean).toBeGreaterThan(0.75);
    expect(mean).toBeLessThan(0.95);
  });

  it('sees a shift of 2% of the rows into the tail', () => {
    const rand = random(11);
    const reference = sample(p, 20_000, rand);
    const shifted = p.map((x, i) => (i >= 140 ? x + 0.002 : x * 0.98));
    const window = sample(proportions(shifted), 15_000, rand);
    const threshold = calibratedThreshold('jensen_shannon', reference, 15_000);
    expect(jensenShannon(proportions(reference), proportions(window))).toBeGreaterThan(threshold);
  });

  it('is the same for the same reference and window size, and wider for smaller windows', () => {
    const reference = sample(p, 20_000, random(3));
    const big = calibratedThreshold('psi', reference, 15_000);
    expect(calibratedThreshold('psi', [...reference], 15_000)).toBe(big);
    expect(calibratedThreshold('psi', reference, 1_000)).toBeGreaterThan(big);
    expect(calibratedThreshold('hellinger', reference, 0)).toBeNaN();
  });
});
