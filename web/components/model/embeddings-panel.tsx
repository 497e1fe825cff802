'use client';

import type { EmbeddingDriftPoint } from '@osprey/detectors';
import { IntentLink as Link } from '@/components/ui/intent-link';
import { TimeChart } from '@/components/charts/time-chart';
import { SERIES } from '@/components/charts/theme';
import styles from './model.module.css';

const METHOD_LABEL: Record<string, string> = {
  domain_classifier: 'domain classifier ROC AUC',
  mmd: 'MMD',
  ratio: 'share of drifted components',
  distance: 'distance between means',
};

/**
 * Embedding drift per window: for each embedding name, the verdict method's value (Evidently's
 * default, the domain classifier's ROC AUC) against its threshold, the windows that drifted, and a
 * link to the map of where the range's vectors went (`mapHref` + the name).
 */
export function EmbeddingsPanel({
  points,
  mapHref,
}: {
  points: EmbeddingDriftPoint[];
  mapHref: string;
}) {
  const names = [...new Set(points.flatMap((p) => p.embeddings.map((e) => e.name)))].sort();
  const method = points.at(-1)?.method ?? 'domain_classifier';
  const threshold = points
    .flatMap((p) => p.embeddings)
    .find((e) => e.threshold !== null)?.threshold;
  const rows = points.map((p) => ({
    t: p.window_start,
    ...Object.fromEntries(p.embeddings.map((e) => [`e:${e.name}`, e.value])),
  }));
  const drifted = (name: string) =>
    points.filter((p) => p.embeddings.some((e) => e.name === name && e.drift)).length;
  const scored = (name: string) =>
    points.filter((p) => p.embeddings.some((e) => e.name === name && e.value !== null)).length;
  return (
    <section className={styles.panel} data-testid="embeddings">
      <div className={styles.panelHeader}>
        <h2>Embedding drift</h2>
        <span className={styles.panelNote}>
          {METHOD_LABEL[method] ?? method} per window
          {names.map((n) => (
            <span key={n} data-testid="embedding-drift-count" data-name={n}>
              {' · '}
              <Link href={`${mapHref}${encodeURIComponent(n)}`}>{n}</Link>: {drifted(n)} of{' '}
              {scored(n)} windows drifted
            </span>
          ))}
        </span>
      </div>
      <div className={styles.panelBody}>
        <TimeChart
          data={rows}
          series={names.map((n, i) => ({
            key: `e:${n}`,
            label: n,
            color: SERIES[i % SERIES.length]!,
          }))}
          format="statistic"
          height={180}
          yDomain={['auto', 'auto']}
          threshold={threshold == null ? undefined : { value: threshold, label: 'threshold' }}
          testId="chart-embedding-drift"
        />
      </div>
    </section>
  );
}
