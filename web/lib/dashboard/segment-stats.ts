import { aggregateSeries } from '@osprey/db';
import { latestRun } from '@osprey/detectors';
import type { WebRuntime } from '../../server/runtime';
import { driftStatus, type DriftStatus } from './drift-status';

/** The model page's stat cards for one segment: what ModelOverview says for all traffic. */
export interface SegmentStats {
  events: number;
  error_rate: number | null;
  /** DDSketch p95, as the Overview's. */
  latency_p95_ms: number | null;
  /** From the segment's latest stored drift report. */
  drift: DriftStatus;
}

export async function loadSegmentStats(
  rt: WebRuntime,
  q: { model: string; from: Date; to: Date; segment: { tag: string; value: string } },
): Promise<SegmentStats> {
  const [totals, drift] = await Promise.all([
    aggregateSeries(rt.store, {
      model: q.model,
      segment: q.segment,
      from: q.from.getTime(),
      to: q.to.getTime(),
      grid: { origin: 0, num: 0, den: 1 },
    }),
    latestRun(rt.store, {
      model: q.model,
      detector: 'drift',
      segment: { key: q.segment.tag, value: q.segment.value },
    }),
  ]);
  const total = totals[0];
  return {
    events: total?.count ?? 0,
    error_rate: total && total.count > 0 ? total.errors / total.count : null,
    latency_p95_ms: total?.p95 ?? null,
    drift: driftStatus(drift),
  };
}
