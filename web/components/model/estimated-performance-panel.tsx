'use client';

import type { EstimatedPoint } from '@osprey/detectors';
import { TimeChart } from '@/components/charts/time-chart';
import { COLORS } from '@/components/charts/theme';
import styles from './model.module.css';

const LABELS: Record<string, string> = { mae: 'MAE', rmse: 'RMSE' };

/**
 * Performance estimated without labels (DLE for regression), per window: the estimate with its
 * band (± 3 sampling errors), the realized value once labels arrive, and the reference's alert
 * thresholds.
 */
export function EstimatedPerformancePanel({ points }: { points: EstimatedPoint[] }) {
  const metrics = Object.keys(LABELS).filter((m) => points.some((p) => p.metrics[m]));
  const alerts = points.filter((p) => Object.values(p.metrics).some((m) => m.alert)).length;
  return (
    <section className={styles.panel} data-testid="estimated-performance">
      <div className={styles.panelHeader}>
        <h2>Estimated performance</h2>
        <span className={styles.panelNote}>
          {points.at(-1)?.task ?? 'regression'} · DLE, without labels ·{' '}
          <span data-testid="estimated-alerts">
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
              realized: v?.realized ?? null,
              band_low: v?.lower_confidence_boundary ?? null,
              band_high: v?.upper_confidence_boundary ?? null,
              lower: v?.lower_threshold ?? null,
              upper: v?.upper_threshold ?? null,
            };
          });
          return (
            <div className={styles.chartCard} key={m}>
              <h3>{LABELS[m]}: estimated vs realized</h3>
              <TimeChart
                data={rows}
                series={[
                  { key: 'estimated', label: 'estimated', color: COLORS.current },
                  { key: 'band_low', label: 'band −3σ', color: COLORS.current, faint: true },
                  { key: 'band_high', label: 'band +3σ', color: COLORS.current, faint: true },
                  { key: 'realized', label: 'realized', color: '#0d9488' },
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
