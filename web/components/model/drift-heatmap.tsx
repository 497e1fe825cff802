import { IntentLink } from '@/components/ui/intent-link';
import type { ReactNode } from 'react';
import type { DriftCell, DriftHeatmap as Heatmap, QualityCell } from '@osprey/detectors';
import { clock, statistic } from '@/components/ui/format';
import { truncate } from '@/components/ui/text';
import styles from './heatmap.module.css';
import { QualityRow } from './quality-row';

/** How strongly a verdict value sits on its side of the threshold: 1 (clearly) … 3 (far/near). */
function level(c: DriftCell): number {
  if (c.value === null || c.threshold === null || c.threshold === 0) return 2;
  const pValue = c.statistic.endsWith('p_value');
  // Above 1 means past the threshold, whichever way the statistic points.
  const ratio = pValue ? c.threshold / Math.max(c.value, 1e-300) : c.value / c.threshold;
  if (c.status === 'drift') return ratio < 2 ? 1 : ratio < 5 ? 2 : 3;
  return ratio < 0.5 ? 1 : ratio < 0.8 ? 2 : 3;
}

function describe(name: string, c: DriftCell, from: string): string {
  const verdict = c.status === 'drift' ? 'DRIFT' : c.status === 'ok' ? 'no drift' : 'not judged';
  const threshold = c.threshold === null ? '' : ` (threshold ${statistic(c.threshold)})`;
  // Feature names run to 256 characters: the row's label carries the whole name.
  return `${truncate(name, 60)} · ${clock(from, true)}–${clock(c.window_end)} UTC\n${c.statistic} ${statistic(c.value)}${threshold}\n${verdict} · ${c.current_size.toLocaleString('en-US')} values`;
}

/**
 * Features × windows, each cell a link to that feature's drill-down in that window. Green shades
 * are no drift (amber: close to the threshold), reds are drift (darker: further past it). Rows
 * come ranked and bounded by driftHeatmap: the most drifted features first.
 */
export function DriftHeatmap(props: {
  heatmap: Heatmap;
  href: (feature: string, windowEnd: string) => string;
  selected?: { feature: string; window: string };
  quality?: QualityCell[];
}) {
  const { windows, rows, dataset } = props.heatmap;
  const columns = windows.length;
  const spansDays =
    columns > 1 && Date.parse(windows.at(-1)!.to) - Date.parse(windows[0]!.from) > 86_400_000;
  // About eight time labels along the top, whatever the number of windows.
  const every = Math.max(1, Math.ceil(columns / 8));
  const fromOf = new Map(windows.map((w) => [w.to, w.from]));
  const line = (
    name: string,
    label: ReactNode,
    cells: DriftCell[],
    feature: string | undefined,
  ) => {
    const byWindow = new Map(cells.map((c) => [c.window_end, c]));
    return (
      <div key={name} style={{ display: 'contents' }} data-testid="heatmap-row" data-feature={name}>
        {label}
        {windows.map((w) => {
          const c = byWindow.get(w.to);
          if (!c) return <span key={w.to} className={`${styles.cell} ${styles.missing}`} />;
          const selected = props.selected?.feature === feature && props.selected?.window === w.to;
          const className = `${styles.cell} ${styles[c.status]} ${selected ? styles.cellSelected : ''}`;
          const title = describe(name, c, fromOf.get(w.to) ?? w.from);
          return feature === undefined ? (
            <span key={w.to} className={className} data-level={level(c)} title={title} />
          ) : (
            <IntentLink
              key={w.to}
              href={props.href(feature, w.to)}
              scroll={false}
              className={className}
              data-level={level(c)}
              data-status={c.status}
              title={title}
              aria-label={title}
            />
          );
        })}
      </div>
    );
  };
  return (
    <>
      <div
        className={styles.heatmap}
        style={{
          gridTemplateColumns: `minmax(140px, 240px) repeat(${columns}, minmax(5px, 44px))`,
        }}
        data-testid="drift-heatmap"
        data-windows={columns}
      >
        <span />
        {windows.map((w, i) => (
          <span
            key={w.to}
            className={styles.axis}
            title={`${clock(w.from, true)}–${clock(w.to)} UTC compared with ${w.reference || 'no reference'}`}
            data-testid="heatmap-window"
            data-reference={w.reference}
          >
            {i % every === 0 ? clock(w.from, spansDays) : ''}
          </span>
        ))}
        {dataset.length > 0 &&
          line(
            'Dataset',
            <span
              className={`${styles.rowLabel} ${styles.dataset}`}
              title="Share of drifting features"
            >
              Dataset
            </span>,
            dataset,
            undefined,
          )}
        {props.quality && props.quality.length > 0 && (
          <QualityRow windows={windows} cells={props.quality} />
        )}
        {rows.map((r) =>
          line(
            r.feature,
            <IntentLink
              href={props.href(r.feature, props.selected?.window ?? windows.at(-1)!.to)}
              scroll={false}
              className={`${styles.rowLabel} ${props.selected?.feature === r.feature ? styles.rowSelected : ''}`}
              title={`${r.feature} (${r.kind})`}
              data-testid="feature-link"
            >
              <span className={styles.name}>{r.feature}</span>
              <span className={styles.kind}>{r.kind === 'numeric' ? 'num' : 'cat'}</span>
            </IntentLink>,
            r.cells,
            r.feature,
          ),
        )}
      </div>
      <div className={styles.legend}>
        <span>
          <i className={`${styles.swatch} ${styles.ok}`} data-level="1" /> no drift
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.ok}`} data-level="3" /> close to threshold
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.drift}`} data-level="1" /> drift
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.drift}`} data-level="3" /> far past threshold
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.unknown}`} /> not judged
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.missing}`} /> no result
        </span>
        {props.quality && props.quality.length > 0 && (
          <span>Data quality: red where a check alerted (hover a cell for which).</span>
        )}
        <span>Click a cell or a feature for its distributions and statistics.</span>
      </div>
    </>
  );
}
