import { describe, expect, it } from 'vitest';
import { binomialTail, cellTest } from './cell-test';

describe('cellTest (conditional binomial test of a grid cell)', () => {
  it('sums binomial tails exactly (scipy.stats.binom.sf / cdf)', () => {
    // scipy.stats.binom.sf(4, 10, 0.3) = P(X >= 5); binom.cdf(1, 10, 0.3) = P(X <= 1)
    expect(binomialTail(5, 10, 0.3, true)).toBeCloseTo(0.15026833259999992, 12);
    expect(binomialTail(1, 10, 0.3, false)).toBeCloseTo(0.14930834589999992, 12);
    expect(binomialTail(0, 7, 0.5, true)).toBeCloseTo(1, 14);
  });

  it('needs five window rows in a cell the reference left empty, at a window a third of the reference', () => {
    // p = 1000 / 4000: P(X ≥ w | n = w) = 0.25^w: 0.0039 at 4, 0.00098 at 5.
    expect(cellTest(0, 3000, 4, 1000).region).toBeNull();
    expect(cellTest(0, 3000, 5, 1000)).toMatchObject({ region: 'over', p_value: 0.25 ** 5 });
  });

  it('calls a cell drawn alike unremarkable, and one the window left under', () => {
    expect(cellTest(300, 3000, 100, 1000).region).toBeNull();
    expect(cellTest(600, 3000, 100, 1000).region).toBe('under');
    expect(cellTest(300, 3000, 200, 1000).region).toBe('over');
    expect(cellTest(0, 3000, 0, 1000)).toMatchObject({ p_value: 1, region: null });
  });
});
