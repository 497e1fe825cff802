import { describe, expect, it } from 'vitest';
import { ruleInput } from '../../alerts/rules/schema';
import { parseState, serializeState } from './dle-cache';
import { estimatedMetrics } from './detect-dle';
import type { DleState } from './fit-dle';
import { outside, resolveThreshold, STANDARD_DEVIATION_3 } from '../thresholds';
import { ensembleSql } from './trees-sql';

describe('resolveThreshold for DLE (NannyML StandardDeviationThreshold)', () => {
  it('is mean ± 3 population standard deviations', () => {
    // mean 2, population std √(2/3)
    const b = resolveThreshold(STANDARD_DEVIATION_3, [1, 2, 3]);
    expect(b.lower).toBeCloseTo(2 - 3 * Math.sqrt(2 / 3), 12);
    expect(b.upper).toBeCloseTo(2 + 3 * Math.sqrt(2 / 3), 12);
  });

  it('replaces a bound past the metric limit by the limit', () => {
    // mean 2.55, population std 2.45: the lower bound −4.8 becomes 0.
    const b = resolveThreshold(STANDARD_DEVIATION_3, [0.1, 5], { lower: 0 });
    expect(b.lower).toBe(0);
    expect(b.upper).toBeCloseTo(9.9, 12);
  });

  it('alerts strictly outside the bounds only', () => {
    const bounds = { lower: 1, upper: 2 };
    expect([0.5, 1, 1.5, 2, 2.5].map((v) => outside(v, bounds))).toEqual([
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(outside(null, bounds)).toBe(false);
  });
});

describe('estimatedMetrics (the finisher)', () => {
  const state = {
    sampling: { abs_std: 10, sq_std: 400, sq_mean: 100 },
    thresholds: { mae: { lower: 5, upper: 9 }, rmse: { lower: 0, upper: 20 } },
  } as unknown as DleState;

  it("uses NannyML's sampling errors, a band clipped at 0 and the thresholds", () => {
    const m = estimatedMetrics(state, {
      n: 100,
      abs: 4,
      squared: 81,
      labelled: 0,
      realized_mae: null,
      realized_rmse: null,
    });
    expect(m.mae).toEqual({
      value: 4,
      sampling_error: 1,
      lower_confidence_boundary: 1,
      upper_confidence_boundary: 7,
      realized: null,
      lower_threshold: 5,
      upper_threshold: 9,
      alert: true,
    });
    // √(400² / (4 · 100 · 100)) = 2
    expect(m.rmse).toMatchObject({ value: 9, sampling_error: 2, alert: false });
    expect(m.rmse.lower_confidence_boundary).toBe(3);
  });

  it('has no value and no alert for a window without rows', () => {
    const m = estimatedMetrics(state, {
      n: 0,
      abs: null,
      squared: null,
      labelled: 0,
      realized_mae: null,
      realized_rmse: null,
    });
    expect(m.mae).toMatchObject({ value: null, sampling_error: null, alert: false });
  });
});

describe('the fitted trees as SQL and JSON', () => {
  const model = {
    base: 1,
    trees: [
      { features: [1, 0], cuts: [-Infinity, 2.5], leaves: [0, 1, 2, 3] },
      { features: [], cuts: [], leaves: [0.25] },
    ],
  };

  it('writes each tree as leaf values indexed by its comparisons, in Float64 literals', () => {
    expect(ensembleSql(model, ['a', 'b'])).toBe(
      '1.0 + [0.0, 1.0, 2.0, 3.0][1 + 1 * (b > -inf) + 2 * (a > 2.5)] + 0.25',
    );
    expect(() => ensembleSql({ base: NaN, trees: [] }, [])).toThrow(/NaN/);
  });

  it('keeps a −∞ cut through JSON', () => {
    const state = { nannies: { mae: { categories: {}, model }, rmse: { categories: {}, model } } };
    const back = parseState(serializeState(state as unknown as DleState));
    expect(back.nannies!.mae.model.trees[0]!.cuts).toEqual([-Infinity, 2.5]);
  });
});

describe('alert metric', () => {
  it('estimated.mae and estimated.rmse are valid rule metrics', () => {
    for (const metric of ['estimated.mae', 'estimated.rmse']) {
      const parsed = ruleInput.safeParse({ name: 'r', model: '*', metric, op: '>', threshold: 1 });
      expect(parsed.success).toBe(true);
    }
  });
});
