/**
 * Data quality's thresholds: the shared NannyML thresholds (../estimation/thresholds), resolved
 * with numpy's arithmetic on rates, whose limits are [0, 1].
 */
import {
  resolveThreshold,
  UNIT_INTERVAL,
  type Bounds,
  type Limits,
  type ThresholdSpec,
} from '../estimation/thresholds';

export {
  numpySum,
  standardDeviation,
  type Bounds,
  type ThresholdSpec,
} from '../estimation/thresholds';

export const upperZero: ThresholdSpec = { type: 'constant', lower: null, upper: 0 };

/** The bounds of `spec` on the reference chunks' rates, to the last bit as NannyML's. */
export function resolveBounds(
  spec: ThresholdSpec,
  chunkValues: readonly number[],
  limits: Limits = UNIT_INTERVAL,
): Bounds {
  return resolveThreshold(spec, chunkValues, limits, 'numpy');
}

/** NannyML's alert: strictly above the upper or below the lower bound; null for a missing value. */
export function breaches(value: number | null, bounds: Bounds): boolean | null {
  if (value === null || Number.isNaN(value)) return null;
  return (
    (bounds.upper !== null && value > bounds.upper) ||
    (bounds.lower !== null && value < bounds.lower)
  );
}
