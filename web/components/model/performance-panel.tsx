'use client';

import type { PerformancePoint } from '@osprey/detectors';
import { TimeChart } from '@/components/charts/time-chart';
import { SERIES } from '@/components/charts/theme';
import styles from './model.module.css';

const SHOWN: Record<string, string[]> = {
  regression: ['mae', 'rmse', 'r2', 'mape'],
  binary: ['accuracy', 'f1', 'roc_auc', 'log_loss'],
  multiclass: ['accuracy', 'f1_macro', 'precision_macro', 'recall_macro'],
};
/** Scores (higher is better, R² may go negative) get a free axis; errors start at zero. */
const SCORES = new Set([
  'r2',
  'accuracy',
  'f1',
  'f1_macro',
  'roc_auc',
  'precision_macro',
  'recall_macro',
]);
const LABELS: Record<string, string> = {
  mae: 'MAE',
  rmse: 'RMSE',
  r2: 'R²',
  mape: 'MAPE',
  accuracy: 'Accuracy',
  f1: 'F1',
  f1_macro: 'F1 (macro)',
  roc_auc: 'ROC AUC',
  log_loss: 'Log loss',
  precision_macro: 'Precision (macro)',
  recall_macro: 'Recall (macro)',
};

/** Model quality per window, from the predictions whose labels arrived (one small chart each). */
export function PerformancePanel({ points }: { points: PerformancePoint[] }) {
  const task = points.at(-1)?.task ?? 'regression';
  const metrics = (SHOWN[task] ?? Object.keys(points.at(-1)?.metrics ?? {})).filter((m) =>
    points.some((p) => p.metrics[m] != null),
  );
  const labelled = points.reduce((a, p) => a + p.labelled, 0);
  const rows = points.map((p) => ({ t: p.window_start, labelled: p.labelled, ...p.metrics }));
  return (
    <section className={styles.panel} data-testid="performance">
      <div className={styles.panelHeader}>
        <h2>Performance</h2>
        <span className={styles.panelNote}>
          {task} · {labelled.toLocaleString('en-US')} labelled predictions in {points.length}{' '}
          {points.length === 1 ? 'window' : 'windows'}
        </span>
      </div>
      <div className={`${styles.panelBody} ${styles.chartGrid}`}>
        {metrics.map((m, i) => (
          <div className={styles.chartCard} key={m}>
            <h3>{LABELS[m] ?? m}</h3>
            <TimeChart
              data={rows}
              series={[{ key: m, label: LABELS[m] ?? m, color: SERIES[i % SERIES.length]! }]}
              format={m === 'mape' ? 'percent' : 'number'}
              height={160}
              legend={false}
              yDomain={SCORES.has(m) ? ['auto', 'auto'] : [0, 'auto']}
              testId={`chart-${m}`}
            />
          </div>
        ))}
        <div className={styles.chartCard}>
          <h3>Labelled predictions</h3>
          <TimeChart
            data={rows}
            series={[{ key: 'labelled', label: 'labelled', color: '#64748b', kind: 'area' }]}
            format="count"
            height={160}
            legend={false}
          />
        </div>
      </div>
    </section>
  );
}
