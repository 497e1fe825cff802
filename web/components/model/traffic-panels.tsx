'use client';

import { useMemo } from 'react';
import type { TimeseriesPoint } from '@/lib/dashboard/timeseries';
import { TimeChart, type TimeSeries, type ValueFormat } from '@/components/charts/time-chart';
import { COLORS } from '@/components/charts/theme';
import { getJson, useRefreshed } from '@/components/ui/refresh';
import { advance, aligned, type TimeRange } from '@/components/ui/time-range';
import styles from './model.module.css';

const CHARTS: { title: string; testId: string; format: ValueFormat; series: TimeSeries[] }[] = [
  {
    title: 'Predictions',
    testId: 'chart-traffic',
    format: 'count',
    series: [{ key: 'count', label: 'predictions', color: COLORS.traffic, kind: 'area' }],
  },
  {
    title: 'Latency percentiles',
    testId: 'chart-latency',
    format: 'ms',
    series: [
      { key: 'p50_ms', label: 'p50', color: COLORS.p50 },
      { key: 'p95_ms', label: 'p95', color: COLORS.p95 },
      { key: 'p99_ms', label: 'p99', color: COLORS.p99, faint: true },
    ],
  },
  {
    title: 'Error rate',
    testId: 'chart-errors',
    format: 'percent',
    series: [{ key: 'error_rate', label: 'error rate', color: COLORS.errors, kind: 'area' }],
  },
];

/**
 * Traffic, latency percentiles and error rate of a model, reloaded from
 * GET /api/v1/models/{model}/timeseries on every refresh tick (a live range moves with the clock).
 */
export function TrafficPanels(props: {
  model: string;
  initial: TimeseriesPoint[];
  range: TimeRange;
  stepSeconds: number;
  segment?: { tag: string; value: string };
}) {
  const { data, error } = useRefreshed(props.initial, () => {
    const { from, to } = aligned(advance(props.range), props.stepSeconds);
    const q = new URLSearchParams({
      from: from.toISOString(),
      to: to.toISOString(),
      step: String(props.stepSeconds),
      ...(props.segment && { tag: props.segment.tag, value: props.segment.value }),
    });
    return getJson<TimeseriesPoint[]>(
      `/api/v1/models/${encodeURIComponent(props.model)}/timeseries?${q}`,
    );
  });
  const total = data.reduce((n, p) => n + p.count, 0);
  // Buckets are complete up to when the data was read: the server's render, then each refresh.
  const completeUntil = useMemo(
    () => (data === props.initial ? props.range.to : Date.now()),
    [data, props.initial, props.range.to],
  );
  const step =
    props.stepSeconds >= 3600 ? `${props.stepSeconds / 3600} h` : `${props.stepSeconds / 60} min`;
  return (
    <section className={styles.panel} data-testid="traffic">
      <div className={styles.panelHeader}>
        <h2>Traffic, latency and errors</h2>
        <span className={styles.panelNote}>
          per {step} · <span data-testid="traffic-total">{total.toLocaleString('en-US')}</span>{' '}
          predictions
          {props.segment && ` · ${props.segment.tag}=${props.segment.value}`}
        </span>
        {error && (
          <span className={styles.refreshError} role="alert">
            Refresh failed: {error}
          </span>
        )}
      </div>
      <div className={`${styles.panelBody} ${styles.chartGrid}`}>
        {CHARTS.map((c) => (
          <div className={styles.chartCard} key={c.testId}>
            <h3>{c.title}</h3>
            <TimeChart
              data={data}
              series={c.series}
              format={c.format}
              syncId="traffic"
              testId={c.testId}
              completeUntil={completeUntil}
            />
          </div>
        ))}
      </div>
    </section>
  );
}
