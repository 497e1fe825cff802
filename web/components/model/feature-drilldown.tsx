import type { FeatureHistograms, StoredStatistic } from '@osprey/detectors';
import { HistogramChart } from '@/components/charts/histogram-chart';
import { TimeChart } from '@/components/charts/time-chart';
import { COLORS } from '@/components/charts/theme';
import { clock, number, statistic } from '@/components/ui/format';
import { truncate } from '@/components/ui/text';
import { StatusBadge } from '@/components/ui/status-badge';
import styles from './drilldown.module.css';

const NAMES: Record<string, string> = {
  ks_statistic: 'KS statistic',
  ks_p_value: 'KS p-value',
  wasserstein_norm: 'Wasserstein (normed)',
  psi: 'PSI',
  jensen_shannon: 'Jensen–Shannon distance',
  hellinger: 'Hellinger distance',
  chi2_statistic: 'χ² statistic',
  chi2_p_value: 'χ² p-value',
  z_p_value: 'Two-proportion z p-value',
  l_infinity: 'L∞ distance',
};

const valueOf = (s: StoredStatistic) => s.p_value ?? s.value;

/**
 * One feature in one window: the reference's and the window's distributions, every statistic
 * the drift report stored (the verdict's marked, with its threshold), and the verdict statistic
 * across the range's windows.
 */
export function FeatureDrilldown(props: {
  feature: string;
  window: { from: string; to: string };
  histograms: FeatureHistograms | undefined;
  history: StoredStatistic[];
}) {
  const inWindow = props.history.filter((s) => s.window_end === props.window.to);
  const verdict = inWindow.find((s) => s.is_verdict);
  const status = verdict ? (verdict.status as 'ok' | 'drift' | 'unknown') : 'unknown';
  const trend = props.history
    .filter((s) => s.is_verdict)
    .map((s) => ({ t: s.window_start, value: valueOf(s) }));
  const h = props.histograms;
  return (
    <section className={styles.drilldown} data-testid="drilldown" data-feature={props.feature}>
      <div className={styles.head}>
        <h2 title={props.feature}>
          <span className={styles.name}>{truncate(props.feature, 80)}</span>
          {h && <span className={styles.kind}>{h.kind}</span>}
        </h2>
        <StatusBadge status={status === 'unknown' ? 'unknown' : status} />
        <span className={styles.meta}>
          window {clock(props.window.from, true)}–{clock(props.window.to)} UTC
          {verdict &&
            ` · decided by ${NAMES[verdict.statistic] ?? verdict.statistic} at ${statistic(verdict.threshold)}`}
        </span>
      </div>
      <div className={styles.body}>
        <div className={styles.chart}>
          <h3>
            Distribution: reference vs this window
            {h && (
              <span className={styles.sizes}>
                reference {number(h.reference.size)} rows ({h.reference.source}) · window{' '}
                {number(h.current_size)}
              </span>
            )}
          </h3>
          {h ? (
            <HistogramChart bins={h.bins} testId="histogram" />
          ) : (
            <p className={styles.none}>
              No reference for this feature: log a reference dataset, or pick a reference in the
              model&apos;s settings.
            </p>
          )}
        </div>
        <div className={styles.stats}>
          <h3>Statistics</h3>
          {inWindow.length === 0 ? (
            <p className={styles.none}>Nothing was compared in this window.</p>
          ) : (
            <table className={styles.table} data-testid="drift-statistics">
              <thead>
                <tr>
                  <th>Statistic</th>
                  <th className={styles.num}>Value</th>
                  <th className={styles.num}>Threshold</th>
                </tr>
              </thead>
              <tbody>
                {inWindow.map((s) => (
                  <tr
                    key={s.statistic}
                    data-statistic={s.statistic}
                    className={s.is_verdict ? styles.verdictRow : undefined}
                  >
                    <td>
                      {NAMES[s.statistic] ?? s.statistic}
                      {s.is_verdict && <span className={styles.verdictTag}>verdict</span>}
                    </td>
                    <td className={styles.num}>
                      {statistic(valueOf(s), s.statistic.endsWith('p_value'))}
                    </td>
                    <td className={styles.num}>{s.is_verdict ? statistic(s.threshold) : ''}</td>
                  </tr>
                ))}
                <tr>
                  <td>Values (reference / window)</td>
                  <td className={styles.num} colSpan={2}>
                    {number(inWindow[0]!.reference_size)} / {number(inWindow[0]!.current_size)}
                  </td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
      </div>
      {trend.length > 1 && verdict && (
        <div className={styles.trend}>
          <h3>{NAMES[verdict.statistic] ?? verdict.statistic} per window</h3>
          <TimeChart
            data={trend}
            series={[{ key: 'value', label: verdict.statistic, color: COLORS.p95 }]}
            format="statistic"
            height={150}
            legend={false}
            threshold={
              verdict.threshold === null
                ? undefined
                : { value: verdict.threshold, label: `threshold ${statistic(verdict.threshold)}` }
            }
          />
        </div>
      )}
    </section>
  );
}
