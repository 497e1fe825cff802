import type { QualityCell } from '@osprey/detectors';
import { clock, rate } from '@/components/ui/format';
import styles from './heatmap.module.css';

function describe(c: QualityCell, from: string): string {
  const share =
    c.rows_with_problems === null
      ? 'not judged'
      : `${rate(c.rows_with_problems)} of ${c.current_size.toLocaleString('en-US')} rows with a problem` +
        (c.threshold === null ? '' : ` (threshold ${rate(c.threshold)})`);
  const alerts =
    c.alert_count === 0
      ? 'no quality alerts'
      : `${c.alert_count} alert${c.alert_count === 1 ? '' : 's'}: ${c.alerts.join(', ')}${c.alert_count > c.alerts.length ? ', …' : ''}`;
  return `Data quality · ${clock(from, true)}–${clock(c.window_end)} UTC\n${share}\n${alerts}`;
}

/**
 * The heatmap's data-quality row (a row of DriftHeatmap's grid): per window, red when a missing,
 * unseen, out-of-range, type-change or constant check alerted, or the share of rows with
 * problems passed its threshold; the title names the checks.
 */
export function QualityRow(props: {
  windows: { from: string; to: string }[];
  cells: QualityCell[];
}) {
  const byWindow = new Map(props.cells.map((c) => [c.window_end, c]));
  return (
    <div style={{ display: 'contents' }} data-testid="quality-row">
      <span
        className={`${styles.rowLabel} ${styles.dataset}`}
        title="Missing values, unseen categories, out-of-range numbers, type changes and constant features, per window"
      >
        Data quality
      </span>
      {props.windows.map((w) => {
        const c = byWindow.get(w.to);
        if (!c) return <span key={w.to} className={`${styles.cell} ${styles.missing}`} />;
        const status =
          c.status === 'alert' ? styles.drift : c.status === 'ok' ? styles.ok : styles.unknown;
        const title = describe(c, w.from);
        return (
          <span
            key={w.to}
            className={`${styles.cell} ${status}`}
            data-level={c.status === 'alert' ? Math.min(3, 1 + Math.floor(c.alert_count / 3)) : 1}
            data-status={c.status}
            title={title}
            aria-label={title}
          />
        );
      })}
    </div>
  );
}
