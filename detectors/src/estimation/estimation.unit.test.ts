import { describe, expect, it } from 'vitest';
import { builtinSources } from '../alerts/engine/metrics';
import type { Detection } from '../run/detect';
import { expectedCalibrationError, rocAuc } from './calibration';
import { calibrate, fitIsotonic } from './isotonic';
import { aucComponent, samplingError } from './sampling-error';
import { confidenceBand, outside, resolveThreshold, STANDARD_DEVIATION_3 } from './thresholds';

// The pieces of CBPE on hand-checked numbers; the whole is checked against NannyML in
// cbpe.integration.test.ts.
const points = (x: number[], n: number[], positives: number[]) => ({ x, n, positives });

describe('isotonic calibration (scikit-learn IsotonicRegression)', () => {
  it('pools adjacent violators and keeps only the points where the fit changes', () => {
    // scikit-learn's docstring: isotonic_regression([5, 3, 1, 2, 8, 10, 7, 9, 6, 4]).
    const y = [5, 3, 1, 2, 8, 10, 7, 9, 6, 4];
    const map = fitIsotonic(points([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], Array(10).fill(10), y));
    expect(map.x).toEqual([0, 3, 4, 9]);
    [0.275, 0.275, 44 / 60, 44 / 60].forEach((v, i) => expect(map.y[i]).toBeCloseTo(v, 12));
  });

  it('interpolates between points and clips outside them', () => {
    const map = { x: [0.2, 0.4, 0.8], y: [0.1, 0.5, 0.9] };
    expect(calibrate(map, 0.3)).toBeCloseTo(0.3, 12);
    expect(calibrate(map, 0.6)).toBeCloseTo(0.7, 12);
    expect(calibrate(map, 0)).toBe(0.1);
    expect(calibrate(map, 1)).toBe(0.9);
    expect(calibrate({ x: [0.5], y: [0.25] }, 0.9)).toBe(0.25);
  });

  it('averages the labels of one score with their counts as weights', () => {
    const map = fitIsotonic(points([0.1, 0.9], [4, 1], [1, 1]));
    expect(map.y).toEqual([0.25, 1]);
  });
});

describe('calibration rule (NannyML needs_calibration)', () => {
  it('ECE over equal-count bins of sorted probabilities', () => {
    // Two bins of two rows: |0.15 - 0| and |0.85 - 1|, each weighted 1/2.
    expect(expectedCalibrationError([0.9, 0.1, 0.2, 0.8], [1, 0, 0, 1])).toBeCloseTo(0.15, 12);
  });

  it('ROC AUC counts a tie half', () => {
    // Pairs (positive, negative): (0.5, 0.2) 1, (0.5, 0.5) 1/2, (0.8, either) 2: 3.5 of 4.
    expect(rocAuc(points([0.2, 0.5, 0.8], [1, 2, 1], [0, 1, 1]))).toBeCloseTo(0.875, 12);
    expect(rocAuc(points([0.5], [3], [3]))).toBeNull();
  });
});

describe('sampling errors', () => {
  it('ROC AUC: no ties gives NannyML population std of the negatives-below shares', () => {
    // Ascending: neg, pos, neg, pos -> the positives have 1/2 and 2/2 of the negatives below.
    const c = aucComponent(points([0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], [0, 1, 0, 1]));
    expect(c.variance).toBeCloseTo(0.0625, 12);
    expect(c.fraction).toBe(0.5);
    expect(samplingError({ kind: 'single', std: 0.25, fraction: 0.5 }, 200)).toBeCloseTo(0.025, 12);
  });

  it('ROC AUC: a tie counts its negatives half and adds a random order variance', () => {
    // One group of 2 negatives and 1 positive: share 1/2, variance m(m+2)/12 / m^2 = 8/12/4.
    const c = aucComponent(points([0.5], [3], [1]));
    expect(c.variance).toBeCloseTo(8 / 12 / 4, 12);
  });

  it('multiclass: √(Σ variance / (n · fraction)) / K times the factor', () => {
    const se = samplingError(
      { kind: 'classes', variances: [0.04, 0.09], fractions: [0.5, 0.25], factor: 1.2 },
      100,
    );
    expect(se).toBeCloseTo((1.2 * Math.sqrt(0.04 / 50 + 0.09 / 25)) / 2, 12);
  });
});

describe('thresholds and bands', () => {
  it('mean ± 3 population std, clamped to the metric limits', () => {
    const b = resolveThreshold(STANDARD_DEVIATION_3, [0.97, 0.99, null, 0.98], {
      lower: 0,
      upper: 1,
    });
    const std = Math.sqrt((0.01 ** 2 * 2) / 3);
    expect(b.lower).toBeCloseTo(0.98 - 3 * std, 12);
    expect(b.upper).toBe(1);
    expect(outside(0.85, b)).toBe(true);
    expect(outside(null, b)).toBe(false);
  });

  it('band is value ± 3 SE, clipped', () => {
    expect(confidenceBand(0.99, 0.01, { lower: 0, upper: 1 })).toEqual({
      lower: 0.96,
      upper: 1,
    });
  });
});

describe('alert metric estimated.<metric>', () => {
  it('reads the estimate from the window detection', async () => {
    const source = builtinSources().get('estimated')!;
    const detection = {
      estimated_performance: { metrics: { roc_auc: { value: 0.91 } } },
    } as unknown as Detection;
    expect(await source({ store: undefined!, metric: 'estimated.roc_auc', detection })).toEqual([
      { feature: null, value: 0.91 },
    ]);
    expect(await source({ store: undefined!, metric: 'estimated.nope', detection })).toEqual([]);
  });
});
