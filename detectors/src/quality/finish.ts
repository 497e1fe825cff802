import type { Counts, ValueType } from './counts-sql';
import {
  missingCount,
  QUALITY_THRESHOLDS,
  retypedCount,
  type FeatureFit,
  type QualityFit,
} from './fit';
import { confidenceBand, UNIT_INTERVAL } from '../estimation/thresholds';
import { breaches, resolveBounds, type Bounds } from './thresholds';

// Constant thresholds need no reference chunks.
const UNSEEN_BOUNDS = resolveBounds(QUALITY_THRESHOLDS.unseen_rate, []);
const RANGE_BOUNDS = resolveBounds(QUALITY_THRESHOLDS.out_of_range_rate, []);
/**
 * A feature is called constant in a window only when that many rows taking one value would be
 * this unlikely by chance, drawn from the reference (its most common value's share to the power
 * of the rows): one row is always "constant", a hundred rows of a 50/50 flag never are.
 */
export const CONSTANT_CHANCE = 0.001;
/** Most common value's share assumed when the reference has too many values to count them. */
const UNKNOWN_TOP_SHARE = 0.5;

/** A rate judged against its thresholds. */
export interface JudgedRate {
  value: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean | null;
}

/** The missing rate also carries its sampling error and band (NannyML's). */
export interface MissingRate extends JudgedRate {
  sampling_error: number | null;
  lower_confidence_boundary: number | null;
  upper_confidence_boundary: number | null;
}

export interface FeatureQuality {
  feature: string;
  /** The type the reference logged it as. */
  type: ValueType;
  missing_rate: MissingRate;
  /** Null where no seen set is kept (continuous numbers, identifiers). */
  unseen_rate: JudgedRate | null;
  /** Numeric features only. */
  out_of_range_rate: JudgedRate | null;
  type_change_rate: JudgedRate;
  /** One distinct value in the window where the reference had several (null: too few rows to say). */
  constant: boolean | null;
  /** Rows logging the feature as null explicitly (the rest of the missing ones left it out). */
  null_count: number;
  current_size: number;
}

export interface QualityResult {
  rows: number;
  rows_with_problems: JudgedRate;
  features: FeatureQuality[];
  /** Features with at least one alert (constant counts as one). */
  features_with_alerts: number;
}

/** NannyML's band: the rate ± 3 SE, within [0, 1]. */
function band(value: number | null, se: number | null) {
  const b = value === null ? null : confidenceBand(value, se!, UNIT_INTERVAL);
  return {
    lower_confidence_boundary: b?.lower ?? null,
    upper_confidence_boundary: b?.upper ?? null,
  };
}

const judged = (value: number | null, bounds: Bounds): JudgedRate => ({
  value,
  lower_threshold: bounds.lower,
  upper_threshold: bounds.upper,
  alert: breaches(value, bounds),
});

/** Finishes a window's counts into rates, bands and alerts against the fitted reference. */
export function finishQuality(fit: QualityFit, counts: Counts): QualityResult {
  const n = counts.rows;
  const rate = (x: number) => (n === 0 ? null : x / n);
  const features = Object.entries(fit.features).map(([name, f]) =>
    featureQuality(name, f, counts, rate),
  );
  return {
    rows: n,
    rows_with_problems: judged(rate(counts.rows_with_problems), fit.rows_with_problems.bounds),
    features,
    features_with_alerts: features.filter(
      (f) =>
        f.missing_rate.alert ||
        f.unseen_rate?.alert ||
        f.out_of_range_rate?.alert ||
        f.type_change_rate.alert ||
        f.constant,
    ).length,
  };
}

function featureQuality(
  name: string,
  f: FeatureFit,
  counts: Counts,
  rate: (x: number) => number | null,
): FeatureQuality {
  const c = counts.features.get(name);
  const n = counts.rows;
  const missing = rate(missingCount(counts, name));
  const p = f.missing.rate;
  const se = n === 0 ? null : Math.sqrt(p * (1 - p)) / Math.sqrt(n);
  const present = c?.present[f.type] ?? 0;
  return {
    feature: name,
    type: f.type,
    missing_rate: {
      ...judged(missing, f.missing.bounds),
      sampling_error: se,
      ...band(missing, se),
    },
    unseen_rate: f.seen ? judged(rate(c?.unseen ?? 0), UNSEEN_BOUNDS) : null,
    out_of_range_rate:
      f.type === 'numeric' ? judged(rate(c?.out_of_range ?? 0), RANGE_BOUNDS) : null,
    type_change_rate: judged(rate(retypedCount(counts, name, f.type)), f.type_change.bounds),
    constant: isConstant(f, present, c?.distinct ?? 0),
    null_count: c?.nulls ?? 0,
    current_size: present,
  };
}

function isConstant(f: FeatureFit, present: number, distinct: number): boolean | null {
  if (f.distinct < 2) return false;
  const top = f.top_share ?? UNKNOWN_TOP_SHARE;
  if (present === 0 || top ** present >= CONSTANT_CHANCE) return null;
  return distinct === 1;
}
