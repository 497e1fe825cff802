import { emptyBuckets } from './ecdf-sketch';
import { describe, expect, it } from 'vitest';
import { modelSettings } from '../settings/model-settings';
import { chiSquare, hellinger, jensenShannon, psi, twoProportionZ } from './statistics';
import { drifted, verdictFor } from './verdict';

// Edge cases; the values themselves are checked against scipy in test/detectors.
describe('drift statistics', () => {
  it('are zero for identical distributions and bounded for disjoint ones', () => {
    const p = [0.2, 0.3, 0.5];
    expect(psi(p, p)).toBe(0);
    expect(jensenShannon(p, p)).toBe(0);
    expect(hellinger(p, p)).toBeCloseTo(0, 7);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
    expect(hellinger([1, 0], [0, 1])).toBe(1);
  });

  it('chi-square: a category the reference never saw is infinitely unlikely', () => {
    expect(chiSquare([10, 0], [5, 5])).toEqual({ statistic: Infinity, pValue: 0 });
    expect(chiSquare([10], [7]).pValue).toBe(1); // one category: nothing to test
  });

  it('z-test: identical all-or-nothing shares give p = 1', () => {
    expect(twoProportionZ(0, 10, 0, 20)).toBe(1);
    expect(twoProportionZ(10, 10, 20, 20)).toBe(1);
    expect(twoProportionZ(50, 100, 80, 100)).toBeLessThan(1e-4);
  });
});

const numeric = (n: number) => ({
  kind: 'numeric' as const,
  n,
  mean: 0,
  std: 1,
  min: 0,
  max: 1,
  edges: [],
  bin_counts: [],
  grid: [],
  buckets: emptyBuckets(0),
});

describe('verdict', () => {
  const defaults = modelSettings.parse({});
  it("follows Evidently's defaults by reference size and kind", () => {
    const cat = (n: number, kind: 'categorical' | 'binary') => ({ kind, n, counts: {} });
    expect(verdictFor('x', numeric(1_000), defaults)).toEqual({ method: 'ks', threshold: 0.05 });
    expect(verdictFor('x', numeric(1_001), defaults)).toEqual({
      method: 'wasserstein',
      threshold: 0.1,
    });
    expect(verdictFor('x', cat(500, 'categorical'), defaults)).toEqual({
      method: 'chi2',
      threshold: 0.05,
    });
    expect(verdictFor('x', cat(500, 'binary'), defaults)).toEqual({ method: 'z', threshold: 0.05 });
    expect(verdictFor('x', cat(5_000, 'binary'), defaults)).toEqual({
      method: 'jensen_shannon',
      threshold: 0.1,
    });
  });

  it('takes overrides per feature, then "*"; p-values drift below, distances at or above', () => {
    const settings = modelSettings.parse({
      drift: {
        overrides: {
          age: { method: 'psi', threshold: 0.2 },
          '*': { method: 'hellinger', threshold: 0.3 },
        },
      },
    });
    const p = numeric(10);
    expect(verdictFor('age', p, settings)).toEqual({ method: 'psi', threshold: 0.2 });
    expect(verdictFor('rooms', p, settings)).toEqual({ method: 'hellinger', threshold: 0.3 });
    expect(drifted({ method: 'ks', threshold: 0.05 }, 0.05)).toBe(false);
    expect(drifted({ method: 'ks', threshold: 0.05 }, 0.049)).toBe(true);
    expect(drifted({ method: 'psi', threshold: 0.2 }, 0.2)).toBe(true);
    expect(drifted({ method: 'psi', threshold: 0.2 }, undefined)).toBeUndefined();
  });
});
