/**
 * Thresholds as objects, as NannyML's (nannyml/thresholds.py): the spec is configuration, the
 * bounds are resolved once from the reference chunks' values and kept with the fitted state.
 */
export type ThresholdSpec =
  | { type: 'standard_deviation'; std_lower_multiplier: number; std_upper_multiplier: number }
  | { type: 'constant'; lower: number | null; upper: number | null };

export interface Bounds {
  lower: number | null;
  upper: number | null;
}

export const STANDARD_DEVIATION_3: Extract<ThresholdSpec, { type: 'standard_deviation' }> = {
  type: 'standard_deviation',
  std_lower_multiplier: 3,
  std_upper_multiplier: 3,
};

/**
 * The bounds of a spec over the reference chunks' values (NaN ignored): mean ∓ multiplier ×
 * population standard deviation (np.nanmean, np.nanstd). A bound beyond its metric's limit is
 * dropped (NannyML's override_using_none), not clamped: a reconstruction error cannot fall below
 * 0, so a lower bound ≤ 0 would never fire.
 */
export function resolveBounds(
  spec: ThresholdSpec,
  values: number[],
  limits: { lower?: number; upper?: number } = {},
): Bounds {
  if (spec.type === 'constant') return limited({ lower: spec.lower, upper: spec.upper }, limits);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { lower: null, upper: null };
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / finite.length);
  return spreadBounds(spec, mean, std, limits);
}

/** A StandardDeviation spec's bounds around `mean` for a known spread `std`. */
export function spreadBounds(
  spec: Extract<ThresholdSpec, { type: 'standard_deviation' }>,
  mean: number,
  std: number,
  limits: { lower?: number; upper?: number } = {},
): Bounds {
  return limited(
    {
      lower: mean - spec.std_lower_multiplier * std,
      upper: mean + spec.std_upper_multiplier * std,
    },
    limits,
  );
}

function limited(bounds: Bounds, limits: { lower?: number; upper?: number }): Bounds {
  return {
    lower:
      bounds.lower !== null && limits.lower !== undefined && bounds.lower <= limits.lower
        ? null
        : bounds.lower,
    upper:
      bounds.upper !== null && limits.upper !== undefined && bounds.upper >= limits.upper
        ? null
        : bounds.upper,
  };
}

/** NannyML's alert: the value is not strictly between the bounds (a missing bound is ∓∞). */
export function breaches(value: number, bounds: Bounds): boolean {
  return !((bounds.lower ?? -Infinity) < value && value < (bounds.upper ?? Infinity));
}
