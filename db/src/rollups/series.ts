import { z } from 'zod';
import type { QueryParams, Store } from '../store/store';
import { Tables } from '../tables';
import { count } from '../queries/codecs';

/**
 * Traffic, errors and latency of logged predictions over [from, to), cut into buckets. A bucket
 * index is `floor((t - from) · num / den)`: `num = 1, den = step` gives fixed steps, `num = n,
 * den = to - from` gives n equal buckets (a sparkline).
 */
export interface SeriesQuery {
  from: number;
  to: number;
  num: number;
  den: number;
  /** One model; all models when left out. */
  model?: string;
  version?: string;
  segment?: { tag: string; value: string };
}

/** One model's aggregate over one bucket, or over the whole range (`bucket === null`). */
export interface SeriesAggregate {
  model: string;
  bucket: number | null;
  count: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Latency quantiles everywhere in the dashboard are DDSketch with 1% relative accuracy: the
 * returned value lies within 1% of the exact `floor(q · (n − 1))`-th latency. Its state is small
 * (hundreds of bytes a minute) and merges exactly, so a rollup and the raw rows give one answer.
 */
export const LATENCY_SKETCH = { accuracy: 0.01, levels: '0.5, 0.95, 0.99' } as const;
const SKETCH_ARGS = `${LATENCY_SKETCH.accuracy}, ${LATENCY_SKETCH.levels}`;

const aggregateRow = z.object({
  model: z.string(),
  bucket: z.coerce.number(),
  is_total: z.coerce.number(),
  count,
  errors: count,
  latencies: count,
  q: z.array(z.number().nullable()),
});

/** Reads the series from `predictions` itself: any filter, a scan of the range. */
export async function rawSeries(store: Store, q: SeriesQuery): Promise<SeriesAggregate[]> {
  const where = [
    "timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')",
    "timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')",
  ];
  const params: QueryParams = { from: q.from, to: q.to, num: q.num, den: q.den };
  if (q.model !== undefined) {
    where.push('model = {model:String}');
    params.model = q.model;
  }
  if (q.version !== undefined) {
    where.push('version = {version:String}');
    params.version = q.version;
  }
  if (q.segment) {
    where.push('tags[{tag:String}] = {tag_value:String}');
    params.tag = q.segment.tag;
    params.tag_value = q.segment.value;
  }
  const rows = await store.query(
    `SELECT model,
            intDiv((toUnixTimestamp64Milli(timestamp) - {from:Int64}) * {num:Int64}, {den:Int64}) AS bucket,
            grouping(bucket) AS is_total,
            count() AS count,
            countIf(is_error) AS errors,
            countIf(latency_ms IS NOT NULL) AS latencies,
            quantilesDDIf(${SKETCH_ARGS})(latency_ms, latency_ms IS NOT NULL) AS q
     FROM ${Tables.predictions}
     WHERE ${where.join(' AND ')}
     GROUP BY GROUPING SETS ((model, bucket), (model))`,
    params,
  );
  return rows.map((r) => toAggregate(aggregateRow.parse(r)));
}

function toAggregate(r: z.infer<typeof aggregateRow>): SeriesAggregate {
  const quantile = (i: number) => (r.latencies === 0 ? null : (r.q[i] ?? null));
  return {
    model: r.model,
    bucket: r.is_total ? null : r.bucket,
    count: r.count,
    errors: r.errors,
    p50: quantile(0),
    p95: quantile(1),
    p99: quantile(2),
  };
}
