'use client';

import type { EstimatedPoint, PerformancePoint } from '@osprey/detectors';
import { TimeChart } from '@/components/charts/time-chart';
import { COLORS, SERIES } from '@/components/charts/theme';
import styles from './model.module.css';

const LABELS: Record<string, string> = {
  roc_auc: 'ROC AUC',
  f1: 'F1',
  f1_macro: 'F1 (macro)',
  precision: 'Precision',
  precision_macro: 'Precision (macro)',
  recall: 'Recall',
  recall_macro: 'Recall (macro)',
  accuracy: 'Accuracy',
};

/**
 * CBPE's estimate per window (detectors/src/estimation) beside the realized value once labels
 * arrived, with its ±3 SE band and the alert thresholds from the labelled reference.
 */
export function EstimatedPerformancePanel(props: {
  points: EstimatedPoint[];
  realized: PerformancePoint[];
}) {
  const points = props.points.filter((p) => p.task !== 'regression');
  if (points.length === 0) {
    return (
      <section className={styles.panel} data-testid="estimated-performance">
        <div className={styles.panelHeader}>
          <h2>Estimated performance (CBPE)</h2>
        </div>
        <p className={styles.hint}>
          No estimates in this range. A model&apos;s performance is estimated before labels arrive
          once its reference dataset carries labels (<code>label</code> on the rows of{' '}
          <code>logReference</code> / <code>log_reference</code>): from scores for a classifier
          (CBPE), from features and predictions for a regression model (DLE).
        </p>
      </section>
    );
  }
  const realized = new Map(props.realized.map((p) => [p.window_start, p.metrics]));
  const metrics = Object.keys(points.at(-1)!.metrics);
  const alerts = points.filter((p) => Object.values(p.metrics).some((e) => e.alert)).length;
  return (
    <section className={styles.panel} data-testid="estimated-performance">
      <div className={styles.panelHeader}>
        <h2>Estimated performance (CBPE)</h2>
        <span className={styles.panelNote}>
          {points.at(-1)!.task} · from scores, without labels · {points.length}{' '}
          {points.length === 1 ? 'window' : 'windows'} ·{' '}
          {alerts === 0
            ? 'no alerts'
            : `alerts in ${alerts} ${alerts === 1 ? 'window' : 'windows'}`}
        </span>
        <span className={styles.panelNote} data-testid="estimated-legend">
          bold: estimated · thin: ±3 SE band · dashed black: realized (labelled windows) · dashed
          orange: thresholds
        </span>
      </div>
      <div className={`${styles.panelBody} ${styles.chartGrid}`}>
        {metrics.map((m, i) => {
          const rows = points.map((p) => {
            const e = p.metrics[m];
            return {
              t: p.window_start,
              estimated: e?.value ?? null,
              realized: realized.get(p.window_start)?.[m] ?? null,
              band_low: e?.lower_confidence_boundary ?? null,
              band_high: e?.upper_confidence_boundary ?? null,
              lower: e?.lower_threshold ?? null,
              upper: e?.upper_threshold ?? null,
            };
          });
          const color = SERIES[i % SERIES.length]!;
          return (
            <div className={styles.chartCard} key={m} data-testid={`estimated-${m}`}>
              <h3>
                {LABELS[m] ?? m}
                {points.at(-1)!.metrics[m]?.alert ? ' · alert' : ''}
              </h3>
              <TimeChart
                data={rows}
                series={[
                  { key: 'estimated', label: 'estimated', color },
                  { key: 'realized', label: 'realized', color: '#0f172a', dashed: true },
                  { key: 'band_low', label: '−3 SE', color, faint: true },
                  { key: 'band_high', label: '+3 SE', color, faint: true },
                  { key: 'lower', label: 'lower threshold', color: COLORS.threshold, dashed: true },
                  { key: 'upper', label: 'upper threshold', color: COLORS.threshold, dashed: true },
                ]}
                format="number"
                height={170}
                yDomain={['auto', 'auto']}
                legend={false}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
