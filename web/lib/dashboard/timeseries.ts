import { aggregateSeries, type SeriesSource } from '@osprey/db';
import type { WebRuntime } from '../../server/runtime';

export interface TimeseriesPoint {
  /** Start of the step [t, t + step); the first may start before `from`. */
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

/** Steps a chart can pick from (seconds): minute, 5 min, 15 min, hour, 6 hours, day. */
const NICE_STEPS = [60, 300, 900, 3600, 21_600, 86_400];

/** The smallest nice step giving at most ~120 points over `spanMs`. */
export function niceStep(spanMs: number): number {
  const wanted = spanMs / 1000 / 120;
  return NICE_STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / 86_400) * 86_400;
}

/** The steps [k·step, (k + 1)·step) that meet [from, to), k counted from the epoch. */
export function stepRange(
  from: number,
  to: number,
  stepMs: number,
): { first: number; points: number } {
  const first = Math.floor(from / stepMs);
  return { first, points: Math.floor((to - 1) / stepMs) - first + 1 };
}

/**
 * A model's traffic, errors and latency in steps of `stepSeconds`, aligned on the epoch (UTC) as
 * chart axes are, the first and last cut to [from, to). Every step is present, empty ones with
 * zeros. Whole-minute steps read the rollups (hours too when the step is whole hours), a segment's
 * too when its tag key is configured as a segment; a step of seconds reads raw rows. `source: 'raw'` reads predictions only (benchmarks).
 */
export async function loadTimeseries(
  rt: WebRuntime,
  q: TimeseriesQuery,
  opts: { source?: SeriesSource } = {},
): Promise<TimeseriesPoint[]> {
  const from = q.from.getTime();
  const to = q.to.getTime();
  const stepMs = q.stepSeconds * 1000;
  const { first, points } = stepRange(from, to, stepMs);
  if (points > MAX_POINTS)
    throw new RangeError(`step: ${points} steps in that range, at most ${MAX_POINTS}`);
  const rows = await aggregateSeries(rt.store, {
    from,
    to,
    grid: { origin: 0, num: 1, den: stepMs },
    model: q.model,
    version: q.version,
    segment: q.segment,
    source: opts.source,
  });
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return Array.from({ length: points }, (_, i) => {
    const r = byBucket.get(first + i);
    return {
      t: new Date((first + i) * stepMs).toISOString(),
      count: r?.count ?? 0,
      errors: r?.errors ?? 0,
      error_rate: r && r.count > 0 ? r.errors / r.count : null,
      p50_ms: r?.p50 ?? null,
      p95_ms: r?.p95 ?? null,
      p99_ms: r?.p99 ?? null,
    };
  });
}
