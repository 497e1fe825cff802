/**
 * Alert thresholds and confidence bands, as NannyML computes them (nannyml/thresholds.py,
 * sampling_error/__init__.py), shared by the label-free estimators (CBPE, DLE) and data quality:
 * thresholds are objects stored as `{type, params}` with the detector's config, their resolved
 * bounds in its fitted state.
 */

/** NannyML's StandardDeviationThreshold: mean ± multiplier × population σ of the chunks' values. */
export interface StandardDeviationSpec {
  type: 'standard_deviation';
  std_lower_multiplier: number;
  std_upper_multiplier: number;
}

/** How a metric's alert bounds come from its values on the reference's chunks. */
export type ThresholdSpec =
  StandardDeviationSpec | { type: 'constant'; lower: number | null; upper: number | null };

/** A StandardDeviation spec with the same multiplier on both sides. */
export const standardDeviation = (multiplier = 3): StandardDeviationSpec => ({
  type: 'standard_deviation',
  std_lower_multiplier: multiplier,
  std_upper_multiplier: multiplier,
});

/** NannyML's default: mean ± 3 population standard deviations of the reference chunks' values. */
export const STANDARD_DEVIATION_3: StandardDeviationSpec = standardDeviation(3);

/** Resolved bounds; null: no bound on that side. */
export interface Bounds {
  lower: number | null;
  upper: number | null;
}

/** What a metric can take at all (e.g. [0, 1] for a rate). */
export interface Limits {
  lower?: number;
  upper?: number;
}

export const UNIT_INTERVAL: Limits = { lower: 0, upper: 1 };

/**
 * How the mean and σ of a StandardDeviation threshold are summed. `plain`: left to right, null and
 * non-finite values left out. `numpy`: numpy's pairwise summation with only NaN left out
 * (np.nanmean, np.nanstd), so bounds agree with NannyML's to the last bit and a value lying on a
 * bound alerts the same way (data quality needs this).
 */
export type Arithmetic = 'plain' | 'numpy';

/**
 * The bounds of `spec` over the reference chunks' values. A bound past a metric limit becomes the
 * limit (NannyML's calculate_threshold_values: `lower <= limit` → limit).
 */
export function resolveThreshold(
  spec: ThresholdSpec,
  values: readonly (number | null)[],
  limits: Limits = {},
  arithmetic: Arithmetic = 'plain',
): Bounds {
  let lower: number | null;
  let upper: number | null;
  if (spec.type === 'constant') {
    ({ lower, upper } = spec);
  } else if (arithmetic === 'numpy') {
    const kept = values.filter((v): v is number => v !== null && !Number.isNaN(v));
    if (kept.length === 0) return { lower: null, upper: null };
    const mean = numpySum(kept) / kept.length;
    const std = Math.sqrt(numpySum(kept.map((v) => (v - mean) * (v - mean))) / kept.length);
    lower = mean - std * spec.std_lower_multiplier;
    upper = mean + std * spec.std_upper_multiplier;
  } else {
    const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (finite.length === 0) return { lower: null, upper: null };
    const mean = finite.reduce((a, v) => a + v, 0) / finite.length;
    const std = Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / finite.length);
    lower = mean - spec.std_lower_multiplier * std;
    upper = mean + spec.std_upper_multiplier * std;
  }
  if (lower !== null && limits.lower !== undefined && lower <= limits.lower) lower = limits.lower;
  if (upper !== null && limits.upper !== undefined && upper >= limits.upper) upper = limits.upper;
  return { lower, upper };
}

/** Sampling errors on either side of an estimate in its confidence band. */
export const SAMPLING_ERROR_RANGE = 3;

/** value ± 3 SE, clipped to the metric's limits. */
export function confidenceBand(value: number, samplingError: number, limits: Limits = {}): Bounds {
  return {
    lower: Math.max(limits.lower ?? -Infinity, value - SAMPLING_ERROR_RANGE * samplingError),
    upper: Math.min(limits.upper ?? Infinity, value + SAMPLING_ERROR_RANGE * samplingError),
  };
}

/** Whether a value lies outside its bounds (a missing value never alerts). */
export function outside(value: number | null, bounds: Bounds): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  return (
    (bounds.lower !== null && value < bounds.lower) ||
    (bounds.upper !== null && value > bounds.upper)
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
