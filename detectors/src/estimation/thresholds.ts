/**
 * Alert thresholds and confidence bands of the label-free estimators (CBPE here, DLE beside it),
 * as NannyML computes them (nannyml/thresholds.py, sampling_error/__init__.py): thresholds are
 * objects stored as `{type, params}` with the estimator's config, their resolved bounds in its
 * fitted state.
 */

/** How a metric's alert bounds come from its values on the reference's chunks. */
export type ThresholdSpec =
  | { type: 'standard_deviation'; std_lower_multiplier: number; std_upper_multiplier: number }
  | { type: 'constant'; lower: number | null; upper: number | null };

/** NannyML's default: mean ± 3 population standard deviations of the reference chunks' values. */
export const STANDARD_DEVIATION_3: ThresholdSpec = {
  type: 'standard_deviation',
  std_lower_multiplier: 3,
  std_upper_multiplier: 3,
};

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
 * The bounds of `spec` over the reference chunks' values (NaN and null values left out). A bound
 * past a metric limit becomes the limit (NannyML's calculate_threshold_values).
 */
export function resolveThreshold(
  spec: ThresholdSpec,
  values: readonly (number | null)[],
  limits: Limits = {},
): Bounds {
  let lower: number | null;
  let upper: number | null;
  if (spec.type === 'constant') {
    ({ lower, upper } = spec);
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
