'use client';

import { IntentLink as Link } from '@/components/ui/intent-link';
import { useEffect, useState } from 'react';
import type { ModelOverview } from '@/lib/dashboard/overview';
import { Sparkline } from '@/components/charts/sparkline';
import { ago, compact, ms, number, rate } from '@/components/ui/format';
import { someOf } from '@/components/ui/text';
import { getJson, useRefreshed } from '@/components/ui/refresh';
import { StatusBadge } from '@/components/ui/status-badge';
import { advance, type TimeRange } from '@/components/ui/time-range';
import styles from './model.module.css';

/** The Overview's table of models, reloaded from GET /api/v1/overview on every refresh tick. */
export function OverviewTable(props: {
  initial: ModelOverview[];
  range: TimeRange;
  buckets: number;
}) {
  const { data, error } = useRefreshed(props.initial, () => {
    const r = advance(props.range);
    const q = new URLSearchParams({
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      buckets: String(props.buckets),
    });
    return getJson<ModelOverview[]>(`/api/v1/overview?${q}`);
  });
  const [now, setNow] = useState<number>(props.range.to);
  useEffect(() => setNow(Date.now()), [data]);

  return (
    <section className={styles.panel}>
      <div className={styles.panelHeader}>
        <h2>Models</h2>
        <span className={styles.panelNote}>{data.length} monitored</span>
        {error && (
          <span className={styles.refreshError} role="alert">
            Refresh failed: {error}
          </span>
        )}
      </div>
      <div className={styles.tableScroll}>
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Model</th>
              <th>Production</th>
              <th>Traffic</th>
              <th className={styles.num}>Predictions</th>
              <th className={styles.num}>Error rate</th>
              <th className={styles.num}>p95 latency</th>
              <th>Drift</th>
              <th className={styles.num}>Alerts</th>
              <th className={styles.num}>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {data.map((m) => (
              <tr key={m.model} data-testid="model-row" data-model={m.model}>
                <td>
                  <Link
                    className={styles.modelLink}
                    href={`/models/${encodeURIComponent(m.model)}`}
                  >
                    {m.model}
                  </Link>
                  <div className={styles.versions}>
                    {m.versions.map((v) => (
                      <span className={styles.version} key={v} data-testid="version">
                        {v}
                      </span>
                    ))}
                  </div>
                </td>
                <td data-testid="production-version">
                  {m.production_version ? (
                    <span className={styles.prod}>{m.production_version}</span>
                  ) : (
                    <span className={styles.muted}>not promoted</span>
                  )}
                </td>
                <td className={styles.sparkCell}>
                  <Sparkline data={m.sparkline} />
                </td>
                <td className={styles.num} data-testid="events" title={number(m.events)}>
                  {compact(m.events)}
                </td>
                <td
                  className={styles.num}
                  data-testid="error-rate"
                  data-tone={m.error_rate !== null && m.error_rate >= 0.05 ? 'bad' : undefined}
                >
                  {rate(m.error_rate)}
                </td>
                <td className={styles.num} data-testid="p95">
                  {ms(m.latency_p95_ms)}
                </td>
                <td data-testid="drift">
                  <StatusBadge
                    status={m.drift.status}
                    title={m.drift.window_end ? `window ending ${m.drift.window_end}` : undefined}
                  />
                  {m.drift.drifted_features.length > 0 && (
                    <div
                      className={styles.driftedNames}
                      title={someOf(m.drift.drifted_features, 20)}
                    >
                      {someOf(m.drift.drifted_features)}
                    </div>
                  )}
                </td>
                <td className={styles.num} data-testid="firing-alerts">
                  {m.firing_alerts > 0 ? (
                    <Link href="/alerts" className={styles.firing}>
                      {m.firing_alerts} firing
                    </Link>
                  ) : (
                    <span className={styles.muted}>0</span>
                  )}
                </td>
                <td className={styles.num} title={m.last_seen ?? undefined}>
                  {ago(m.last_seen, now)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
