import { rawSeries } from '@osprey/db';
import type { WebRuntime } from '@/server/runtime';

export interface TimeseriesPoint {
  /** Start of the bucket [t, t + step). */
  t: string;
  count: number;
  errors: number;
  error_rate: number | null;
  /** DDSketch latency quantiles (within 1% of the exact values), null without latencies. */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

export interface TimeseriesQuery {
  model: string;
  from: Date;
  to: Date;
  stepSeconds: number;
  version?: string;
  segment?: { tag: string; value: string };
}

/** Most buckets one answer holds; callers pick a coarser step for longer ranges. */
export const MAX_POINTS = 2_000;

/**
 * A model's traffic, errors and latency in steps of `stepSeconds` from `from` (the last step may
 * end after `to`; only events before `to` count). Every step is present, empty ones with zeros.
 */
export async function loadTimeseries(
  rt: WebRuntime,
  q: TimeseriesQuery,
): Promise<TimeseriesPoint[]> {
  const from = q.from.getTime();
  const to = q.to.getTime();
  const stepMs = q.stepSeconds * 1000;
  const points = Math.ceil((to - from) / stepMs);
  if (points > MAX_POINTS)
    throw new RangeError(`step: ${points} steps in that range, at most ${MAX_POINTS}`);
  const rows = await rawSeries(rt.store, {
    from,
    to,
    num: 1,
    den: stepMs,
    model: q.model,
    version: q.version,
    segment: q.segment,
  });
  const byBucket = new Map(rows.filter((r) => r.bucket !== null).map((r) => [r.bucket!, r]));
  return Array.from({ length: points }, (_, i) => {
    const r = byBucket.get(i);
    return {
      t: new Date(from + i * stepMs).toISOString(),
      count: r?.count ?? 0,
      errors: r?.errors ?? 0,
      error_rate: r && r.count > 0 ? r.errors / r.count : null,
      p50_ms: r?.p50 ?? null,
      p95_ms: r?.p95 ?? null,
      p99_ms: r?.p99 ?? null,
    };
  });
}
