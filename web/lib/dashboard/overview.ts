import {
  aggregateSeries,
  latestDeployment,
  listModels,
  type SeriesAggregate,
  type SeriesSource,
} from '@osprey/db';
import { latestRun, listAlerts } from '@osprey/detectors';
import type { WebRuntime } from '../../server/runtime';
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

/**
 * Every model that has logged predictions, as the dashboard's Overview shows it. Totals over
 * [from, to) are exact; a sparkline whose buckets are not whole minutes counts each minute in the
 * bucket where it starts. `source: 'raw'` reads predictions only (benchmarks).
 */
export async function loadOverview(
  rt: WebRuntime,
  range: OverviewRange,
  opts: { source?: SeriesSource } = {},
): Promise<ModelOverview[]> {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const source = opts.source ?? 'auto';
  const [models, totals, counts, firing] = await Promise.all([
    listModels(rt.store, { raw: source === 'raw' }),
    aggregateSeries(rt.store, { from, to, grid: { origin: 0, num: 0, den: 1 }, source }),
    aggregateSeries(rt.store, {
      from,
      to,
      grid: { origin: from, num: range.buckets, den: to - from },
      quantiles: false,
      approximate: true,
      source,
    }),
    listAlerts(rt.store, { state: 'firing' }),
  ]);
  const totalOf = new Map(totals.map((t) => [t.model, t]));
  const sparklines = sparklinesByModel(counts, range.buckets);
  const step = (to - from) / range.buckets;
  const times = Array.from({ length: range.buckets }, (_, i) =>
    new Date(Math.round(from + i * step)).toISOString(),
  );
  return Promise.all(
    models.map(async (m) => {
      const [deployment, drift] = await Promise.all([
        latestDeployment(rt.store, m.model),
        latestRun(rt.store, { model: m.model, detector: 'drift' }),
      ]);
      const total = totalOf.get(m.model);
      const sparkline = sparklines.get(m.model);
      return {
        model: m.model,
        production_version: deployment?.version ?? null,
        versions: m.versions,
        events: total?.count ?? 0,
        error_rate: total && total.count > 0 ? total.errors / total.count : null,
        latency_p95_ms: total?.p95 ?? null,
        sparkline: times.map((t, i) => ({ t, count: sparkline?.[i] ?? 0 })),
        drift: driftStatus(drift),
        firing_alerts: firing.filter((a) => a.model === m.model).length,
        last_seen: m.last_seen,
      };
    }),
  );
}

function sparklinesByModel(rows: SeriesAggregate[], buckets: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    const counts = out.get(r.model) ?? new Array<number>(buckets).fill(0);
    if (r.bucket >= 0 && r.bucket < buckets) counts[r.bucket] = r.count;
    out.set(r.model, counts);
  }
  return out;
}
