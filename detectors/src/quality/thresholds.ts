/**
 * Alert thresholds as objects, NannyML's way (nannyml/thresholds.py): the configuration is stored
 * as `{type, ...params}`, the bounds it resolves to on the reference are stored beside it.
 */
export type ThresholdSpec =
  | { type: 'constant'; lower: number | null; upper: number | null }
  | { type: 'standard_deviation'; std_lower_multiplier: number; std_upper_multiplier: number };

/** Resolved bounds; null: no bound on that side. */
export interface Bounds {
  lower: number | null;
  upper: number | null;
}

export const standardDeviation = (multiplier = 3): ThresholdSpec => ({
  type: 'standard_deviation',
  std_lower_multiplier: multiplier,
  std_upper_multiplier: multiplier,
});

export const upperZero: ThresholdSpec = { type: 'constant', lower: null, upper: 0 };

/**
 * The bounds of `spec` on the reference chunks' values, clamped to the metric's limits as
 * nannyml.thresholds.calculate_threshold_values does: a bound at or beyond a limit becomes the
 * limit. Standard deviation: mean ± k·σ (population σ, numpy's nanmean/nanstd), NaNs skipped.
 */
export function resolveBounds(
  spec: ThresholdSpec,
  chunkValues: readonly number[],
  limits: { lower: number; upper: number } = { lower: 0, upper: 1 },
): Bounds {
  let lower: number | null;
  let upper: number | null;
  if (spec.type === 'constant') {
    ({ lower, upper } = spec);
  } else {
    const values = chunkValues.filter((v) => !Number.isNaN(v));
    if (values.length === 0) return { lower: null, upper: null };
    const mean = numpySum(values) / values.length;
    const std = Math.sqrt(numpySum(values.map((v) => (v - mean) * (v - mean))) / values.length);
    lower = mean - std * spec.std_lower_multiplier;
    upper = mean + std * spec.std_upper_multiplier;
  }
  if (lower !== null && lower <= limits.lower) lower = limits.lower;
  if (upper !== null && upper >= limits.upper) upper = limits.upper;
  return { lower, upper };
}

/** NannyML's alert: strictly above the upper or below the lower bound. */
export function breaches(value: number | null, bounds: Bounds): boolean | null {
  if (value === null || Number.isNaN(value)) return null;
  return (
    (bounds.upper !== null && value > bounds.upper) ||
    (bounds.lower !== null && value < bounds.lower)
  );
}

/**
 * numpy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src), which np.sum, nanmean and
 * nanstd use: the same rounding, so thresholds agree with NannyML's to the last bit and a value
 * lying on a threshold alerts the same way.
 */
export function numpySum(a: readonly number[], from = 0, n = a.length): number {
  if (n < 8) {
    let s = -0;
    for (let i = from; i < from + n; i++) s += a[i]!;
    return s;
  }
  if (n <= 128) {
    const r = a.slice(from, from + 8);
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[from + i + j]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (let i = whole; i < n; i++) s += a[from + i]!;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(a, from, half) + numpySum(a, from + half, n - half);
}
