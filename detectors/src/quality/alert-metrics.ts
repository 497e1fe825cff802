import type { MetricSample, MetricSource } from '../alerts/engine/metrics';
import type { QualityReport } from './detect-quality';
import type { FeatureQuality, JudgedRate } from './finish';

/** Each per-feature quality metric and where a feature's report holds it. */
const PER_FEATURE: Record<string, (f: FeatureQuality) => number | null | undefined> = {
  missing_rate: (f) => f.missing_rate.value,
  unseen_rate: (f) => f.unseen_rate?.value,
  out_of_range_rate: (f) => f.out_of_range_rate?.value,
  type_change: (f) => f.type_change_rate.value,
  constant: (f) => (f.constant === null ? null : Number(f.constant)),
  /** 1 when any of the feature's checks breaches its fitted threshold (like drift.verdict). */
  alert: (f) => {
    const checks = [f.missing_rate, f.unseen_rate, f.out_of_range_rate, f.type_change_rate];
    if (f.constant) return 1;
    if (checks.some((c) => c?.alert)) return 1;
    return checks.some((c) => c && c.alert === null) ? null : 0;
  },
};

/**
 * quality.<metric>: per feature, like drift's statistics (a feature without the metric, e.g. the
 * unseen rate of a continuous number, is no sample), and quality.rows_with_problems for the whole
 * window. quality.alert is 1 for a feature whose checks breach the thresholds fitted on the reference.
 */
export const quality: MetricSource = ({ metric, detection }) => {
  const report = detection.quality as Partial<QualityReport>;
  const name = metric.slice('quality.'.length);
  if (name === 'rows_with_problems') {
    return [{ feature: null, value: valueOf(report.rows_with_problems) }];
  }
  const read = PER_FEATURE[name];
  if (!read) return [];
  return (report.features ?? []).flatMap((f): MetricSample[] => {
    const value = read(f);
    return value === undefined ? [] : [{ feature: f.feature, value }];
  });
};

const valueOf = (r: JudgedRate | undefined): number | null => r?.value ?? null;
