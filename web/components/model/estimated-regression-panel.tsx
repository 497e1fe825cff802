'use client';

import type { EstimatedPoint, PerformancePoint } from '@osprey/detectors';
import { TimeChart } from '@/components/charts/time-chart';
import { COLORS } from '@/components/charts/theme';
import styles from './model.module.css';

const LABELS: Record<string, string> = { mae: 'MAE', rmse: 'RMSE' };

/**
 * A regression model's MAE and RMSE estimated without labels (DLE), per window: the estimate with
 * its band (± 3 sampling errors), the reference's alert thresholds, and the realized value (the
 * performance detector's) once labels arrive. Nothing for a model without DLE estimates.
 */
export function EstimatedRegressionPanel(props: {
  points: EstimatedPoint[];
  realized: PerformancePoint[];
}) {
  const points = props.points.filter((p) => p.task === 'regression');
  if (points.length === 0) return null;
  const realized = new Map(props.realized.map((p) => [p.window_start, p.metrics]));
  const metrics = Object.keys(LABELS).filter((m) => points.some((p) => p.metrics[m]));
  const alerts = points.filter((p) => Object.values(p.metrics).some((m) => m.alert)).length;
  return (
    <section className={styles.panel} data-testid="estimated-regression">
      <div className={styles.panelHeader}>
        <h2>Estimated performance (DLE)</h2>
        <span className={styles.panelNote}>
          regression · from features and predictions, without labels ·{' '}
          <span data-testid="estimated-regression-alerts">
            {alerts} of {points.length} {points.length === 1 ? 'window' : 'windows'} outside the
            thresholds
          </span>
        </span>
      </div>
      <div className={`${styles.panelBody} ${styles.chartGrid}`}>
        {metrics.map((m) => {
          const rows = points.map((p) => {
            const v = p.metrics[m];
            return {
              t: p.window_start,
              estimated: v?.value ?? null,
              realized: realized.get(p.window_start)?.[m] ?? null,
              band_low: v?.lower_confidence_boundary ?? null,
              band_high: v?.upper_confidence_boundary ?? null,
              lower: v?.lower_threshold ?? null,
              upper: v?.upper_threshold ?? null,
            };
          });
          return (
            <div className={styles.chartCard} key={m}>
              <h3>
                {LABELS[m]}: estimated vs realized
                {points.at(-1)!.metrics[m]?.alert ? ' · alert' : ''}
              </h3>
              <TimeChart
                data={rows}
                series={[
                  { key: 'estimated', label: 'estimated', color: COLORS.current },
                  { key: 'realized', label: 'realized', color: '#0d9488' },
                  { key: 'band_low', label: '−3 SE', color: COLORS.current, faint: true },
                  { key: 'band_high', label: '+3 SE', color: COLORS.current, faint: true },
                  { key: 'lower', label: 'lower threshold', color: COLORS.threshold, dashed: true },
                  { key: 'upper', label: 'upper threshold', color: COLORS.threshold, dashed: true },
                ]}
                format="number"
                height={200}
                yDomain={['auto', 'auto']}
                testId={`chart-estimated-${m}`}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
