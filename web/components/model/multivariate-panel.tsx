'use client';

import type { MultivariatePoint } from '@osprey/detectors';
import { TimeChart } from '@/components/charts/time-chart';
import { COLORS } from '@/components/charts/theme';
import styles from './model.module.css';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Multivariate drift per window: the mean PCA reconstruction error of the window's rows, its ±3 SE
 * band, and the thresholds from the reference's chunks (which follow the window's size).
 */
export function MultivariatePanel({ points }: { points: MultivariatePoint[] }) {
  const scored = points.filter((p) => p.value !== null);
  const alerts = scored.filter((p) => p.alert).length;
  const last = points.at(-1);
  const rows = points.map((p) => ({
    t: p.window_start,
    value: p.value,
    upper_threshold: p.upper_threshold,
    lower_threshold: p.lower_threshold,
    upper_band: p.upper_confidence_bound,
    lower_band: p.lower_confidence_bound,
  }));
  const hasLower = points.some((p) => p.lower_threshold !== null);
  return (
    <section className={styles.panel} data-testid="multivariate">
      <div className={styles.panelHeader}>
        <h2>Multivariate drift</h2>
        <span className={styles.panelNote}>
          PCA reconstruction error
          {last?.components != null &&
            ` · ${plural(last.features, 'feature')}, ${plural(last.components, 'component')}`}
          {scored.length > 0 && (
            <span data-testid="multivariate-alerts">
              {` · ${alerts} of ${plural(scored.length, 'window')} outside the reference’s thresholds`}
            </span>
          )}
        </span>
      </div>
      {scored.length === 0 ? (
        <p className={styles.hint}>
          {last?.reason
            ? `No reconstruction error yet: ${last.reason}.`
            : 'No multivariate drift results in this range yet. Each window’s rows are projected on the principal components of the reference (a reference dataset gives the best comparison) once the window closes.'}
        </p>
      ) : (
        <div className={styles.panelBody}>
          <TimeChart
            data={rows}
            series={[
              { key: 'value', label: 'reconstruction error', color: COLORS.current },
              {
                key: 'upper_threshold',
                label: 'upper threshold',
                color: COLORS.threshold,
                dashed: true,
              },
              ...(hasLower
                ? [
                    {
                      key: 'lower_threshold',
                      label: 'lower threshold',
                      color: COLORS.threshold,
                      dashed: true,
                    },
                  ]
                : []),
              { key: 'upper_band', label: '+3 SE', color: COLORS.reference, faint: true },
              { key: 'lower_band', label: '−3 SE', color: COLORS.reference, faint: true },
            ]}
            format="statistic"
            height={200}
            yDomain={['auto', 'auto']}
            testId="chart-reconstruction-error"
          />
        </div>
      )}
    </section>
  );
}
