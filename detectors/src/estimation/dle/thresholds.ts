/**
 * NannyML's StandardDeviationThreshold: mean ± multiplier × population standard deviation of a
 * metric over the reference's chunks; a bound past the metric's limit is replaced by the limit
 * (nannyml/thresholds.py calculate_threshold_values: `lower <= limit` → limit).
 */
export interface StandardDeviationThreshold {
  type: 'standard_deviation';
  std_lower_multiplier: number;
  std_upper_multiplier: number;
}

export const DEFAULT_THRESHOLD: StandardDeviationThreshold = {
  type: 'standard_deviation',
  std_lower_multiplier: 3,
  std_upper_multiplier: 3,
};

export interface Bounds {
  lower: number | null;
  upper: number | null;
}

export function standardDeviationBounds(
  values: readonly number[],
  threshold: StandardDeviationThreshold,
  limits: Bounds = { lower: null, upper: null },
): Bounds {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { lower: null, upper: null };
  const mean = finite.reduce((a, v) => a + v, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / finite.length);
  let lower = mean - threshold.std_lower_multiplier * std;
  let upper = mean + threshold.std_upper_multiplier * std;
  if (limits.lower !== null && lower <= limits.lower) lower = limits.lower;
  if (limits.upper !== null && upper >= limits.upper) upper = limits.upper;
  return { lower, upper };
}

/** Whether a value lies outside its bounds (NannyML's Metric.alert). */
export function outside(value: number | null, bounds: Bounds): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  return (
    (bounds.lower !== null && value < bounds.lower) ||
    (bounds.upper !== null && value > bounds.upper)
  );
}
