import { describe, expect, it } from 'vitest';
import { ruleInput } from '../alerts/rules/schema';
import { breaches, numpySum, resolveBounds, standardDeviation, upperZero } from './thresholds';

// Values from numpy 2.4.6 / NannyML 0.13.1 (detectors/fixtures venv): a = ((i·7919 + k·104729)
// mod 1000) / 997 for i < n, k = 0, where numpy's pairwise sum differs from a running sum.
const a = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 997);

describe('numpySum', () => {
  it("rounds as numpy's pairwise summation does, not as a running sum", () => {
    expect(numpySum(a(10))).toBe(5.37111334002006);
    expect(a(10).reduce((s, v) => s + v, 0)).toBe(5.3711133400200595);
    expect(numpySum(a(300))).toBe(150.60180541624874);
  });
});

describe('resolveBounds', () => {
  it("StandardDeviation(3): NannyML's thresholds to the last bit, clamped to the metric's limits", () => {
    expect(
      resolveBounds(standardDeviation(3), a(10), { lower: -Infinity, upper: Infinity }),
    ).toEqual({
      lower: -0.26595650463877396,
      upper: 1.340179172642786,
    });
    expect(resolveBounds(standardDeviation(3), a(10))).toEqual({ lower: 0, upper: 1 });
  });

  it('a constant reference gives a zero-width band; no chunks, no bounds', () => {
    expect(resolveBounds(standardDeviation(3), [0.5, 0.5, 0.5])).toEqual({
      lower: 0.5,
      upper: 0.5,
    });
    expect(resolveBounds(standardDeviation(3), [NaN])).toEqual({ lower: null, upper: null });
    expect(resolveBounds(upperZero, [])).toEqual({ lower: null, upper: 0 });
  });

  it('alerts strictly past a bound', () => {
    expect(breaches(0, { lower: null, upper: 0 })).toBe(false);
    expect(breaches(1e-9, { lower: null, upper: 0 })).toBe(true);
    expect(breaches(0.4, { lower: 0.5, upper: 0.5 })).toBe(true);
    expect(breaches(null, { lower: 0, upper: 1 })).toBeNull();
  });
});

describe('alert rules on quality metrics', () => {
  const rule = (metric: string) =>
    ruleInput.safeParse({ name: 'q', model: '*', metric, op: '>', threshold: 0 }).success;
  it('takes the quality metrics and refuses others', () => {
    for (const m of [
      'missing_rate',
      'unseen_rate',
      'out_of_range_rate',
      'type_change',
      'constant',
      'alert',
      'rows_with_problems',
    ])
      expect(rule(`quality.${m}`), m).toBe(true);
    expect(rule('quality.bogus')).toBe(false);
  });
});
