import { latestDeployment, listModels, rawSeries, type SeriesAggregate } from '@osprey/db';
import { latestRun, listAlerts } from '@osprey/detectors';
import type { WebRuntime } from '@/server/runtime';
import { driftStatus, type DriftStatus } from './drift-status';

export interface ModelOverview {
  model: string;
  /** From the deployments log; null when nothing was promoted yet. */
  production_version: string | null;
  versions: string[];
  /** Predictions logged in [from, to). */
  events: number;
  error_rate: number | null;
  /** DDSketch p95 (within 1% of the exact value), null without latencies. */
  latency_p95_ms: number | null;
  /** `buckets` equal steps over [from, to). */
  sparkline: { t: string; count: number }[];
  drift: DriftStatus;
  firing_alerts: number;
  last_seen: string | null;
}

export interface OverviewRange {
  from: Date;
  to: Date;
  buckets: number;
}

/** Every model that has logged predictions, as the dashboard's Overview shows it. */
export async function loadOverview(rt: WebRuntime, range: OverviewRange): Promise<ModelOverview[]> {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const [models, series, firing] = await Promise.all([
    listModels(rt.store),
    rawSeries(rt.store, { from, to, num: range.buckets, den: to - from }),
    listAlerts(rt.store, { state: 'firing' }),
  ]);
  const byModel = groupByModel(series);
  return Promise.all(
    models.map(async (m) => {
      const [deployment, drift] = await Promise.all([
        latestDeployment(rt.store, m.model),
        latestRun(rt.store, { model: m.model, detector: 'drift' }),
      ]);
      const rows = byModel.get(m.model);
      const total = rows?.total;
      const counts = new Array<number>(range.buckets).fill(0);
      for (const b of rows?.buckets ?? [])
        if (b.bucket! < range.buckets) counts[b.bucket!] = b.count;
      const step = (to - from) / range.buckets;
      return {
        model: m.model,
        production_version: deployment?.version ?? null,
        versions: m.versions,
        events: total?.count ?? 0,
        error_rate: total && total.count > 0 ? total.errors / total.count : null,
        latency_p95_ms: total?.p95 ?? null,
        sparkline: counts.map((count, i) => ({
          t: new Date(Math.round(from + i * step)).toISOString(),
          count,
        })),
        drift: driftStatus(drift),
        firing_alerts: firing.filter((a) => a.model === m.model).length,
        last_seen: m.last_seen,
      };
    }),
  );
}

function groupByModel(
  rows: SeriesAggregate[],
): Map<string, { total?: SeriesAggregate; buckets: SeriesAggregate[] }> {
  const out = new Map<string, { total?: SeriesAggregate; buckets: SeriesAggregate[] }>();
  for (const r of rows) {
    const entry = out.get(r.model) ?? { buckets: [] };
    if (r.bucket === null) entry.total = r;
    else entry.buckets.push(r);
    out.set(r.model, entry);
  }
  return out;
}
