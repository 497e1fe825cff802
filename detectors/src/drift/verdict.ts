import type { DriftMethod, ModelSettings } from '../settings/model-settings';
import type { FeatureProfile } from '../reference/profile';
import { calibratedThreshold, isCalibratedMethod } from './calibrated-threshold';

/** Which statistic decides, and how: p-values drift below the threshold, distances at or above. */
export interface Verdict {
  method: DriftMethod;
  threshold: number;
  /** The threshold came from the reference's own variation (settings.drift.calibrate). */
  calibrated?: boolean;
}

const STATISTIC_OF: Record<DriftMethod, string> = {
  ks: 'ks_p_value',
  wasserstein: 'wasserstein_norm',
  psi: 'psi',
  jensen_shannon: 'jensen_shannon',
  hellinger: 'hellinger',
  chi2: 'chi2_p_value',
  z: 'z_p_value',
  l_infinity: 'l_infinity',
};

export function statisticOf(method: DriftMethod): string {
  return STATISTIC_OF[method];
}

export function isPValue(method: DriftMethod): boolean {
  return method === 'ks' || method === 'chi2' || method === 'z';
}

/** Reference size up to which Evidently uses statistical tests rather than distances. */
export const SMALL_REFERENCE = 1_000;

/**
 * Evidently's defaults: with a small reference (≤ 1,000 values) a test at p < 0.05 — KS for
 * numbers, chi-square for categories, z for two categories; otherwise a distance at 0.1 —
 * Wasserstein normed by the reference's standard deviation, or Jensen–Shannon. A model's settings
 * override per feature ("prediction" for the prediction) or for all ("*"), and may calibrate
 * thresholds on the reference.
 */
export function verdictFor(
  name: string,
  profile: FeatureProfile,
  settings: ModelSettings,
  currentSize = 0,
  categories = 0,
  referenceBins?: readonly number[],
): Verdict {
  const verdict = chosenVerdict(name, profile, settings, currentSize, categories, referenceBins);
  // A z-test compares the share of one value and cannot see a third: once the reference and the
  // window together hold more than two categories (one the reference never had), chi-square over
  // them all decides, as Evidently's rule counts the categories of both sides.
  if (verdict.method === 'z' && categories > 2)
    return { method: 'chi2', threshold: verdict.threshold };
  return verdict;
}

function chosenVerdict(
  name: string,
  profile: FeatureProfile,
  settings: ModelSettings,
  currentSize: number,
  categories: number,
  referenceBins: readonly number[] | undefined,
): Verdict {
  const override = settings.drift.overrides[name] ?? settings.drift.overrides['*'];
  if (settings.drift.calibrate) {
    // The binned distances only (on the bins `referenceBins` counts the reference in); a test or
    // Wasserstein chosen by an override keeps its own threshold.
    const method = override?.method ?? 'jensen_shannon';
    if (isCalibratedMethod(method) && referenceBins && currentSize > 0) {
      return {
        method,
        threshold: calibratedThreshold(method, referenceBins, currentSize),
        calibrated: true,
      };
    }
  }
  if (override) return override;
  const small = profile.n <= SMALL_REFERENCE;
  // A numeric feature of few values (`categories` counted) follows the categorical rules.
  if (profile.kind === 'numeric' && categories === 0) {
    return small ? { method: 'ks', threshold: 0.05 } : { method: 'wasserstein', threshold: 0.1 };
  }
  const twoValued = categories > 0 ? categories <= 2 : profile.kind === 'binary';
  if (small) return { method: twoValued ? 'z' : 'chi2', threshold: 0.05 };
  return { method: 'jensen_shannon', threshold: 0.1 };
}

export function drifted(verdict: Verdict, value: number | undefined): boolean | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined;
  return isPValue(verdict.method) ? value < verdict.threshold : value >= verdict.threshold;
}
