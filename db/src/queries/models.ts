import { z } from 'zod';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { count, epochMsToIso } from './codecs';

export interface ModelSummary {
  model: string;
  versions: string[];
  events: number;
  last_seen: string;
}

const modelRow = z.object({
  model: z.string(),
  versions: z.array(z.string()),
  events: count,
  last_seen: epochMsToIso,
});

/**
 * Every model that has logged predictions, with its versions (newest activity first). Read from
 * the hourly rollup (0045: the same counts in a few thousand rows), or with `raw` from predictions.
 */
export async function listModels(
  store: Store,
  opts: { raw?: boolean } = {},
): Promise<ModelSummary[]> {
  const source = opts.raw
    ? `SELECT model, version, count() AS events, max(timestamp) AS last_seen
       FROM ${Tables.predictions} GROUP BY model, version`
    : `SELECT model, version, events, last_seen FROM ${Tables.predictions1h}`;
  const rows = await store.query(
    `SELECT model,
            arraySort(groupUniqArray(version)) AS versions,
            sum(events) AS events,
            toUnixTimestamp64Milli(max(last_seen)) AS last_seen
     FROM (${source})
     GROUP BY model ORDER BY model`,
  );
  return rows.map((r) => modelRow.parse(r));
}

export interface ModelStats {
  count: number;
  errors: number;
  error_rate: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  throughput_per_min: number;
}

const statsRow = z.object({
  count,
  errors: count,
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/**
 * Counts, error rate and exact latency percentiles for [from, to). Latency quantiles use
 * quantilesExactLow (an element of the data, no interpolation) so clients can reproduce them.
 * Throughput is the count over the window's length in minutes.
 */
export async function modelStats(
  store: Store,
  input: { model: string; from: Date; to: Date; segment?: { tag: string; value: string } },
): Promise<ModelStats> {
  const segment = input.segment ? 'AND tags[{tag:String}] = {tag_value:String}' : '';
  const [row] = await store.query(
    `SELECT count() AS count,
            countIf(is_error) AS errors,
            quantilesExactLowIf(0.5, 0.95, 0.99)(latency_ms, latency_ms IS NOT NULL) AS q,
            if(countIf(latency_ms IS NOT NULL) = 0, NULL, q[1]) AS p50,
            if(countIf(latency_ms IS NOT NULL) = 0, NULL, q[2]) AS p95,
            if(countIf(latency_ms IS NOT NULL) = 0, NULL, q[3]) AS p99
     FROM ${Tables.predictions}
     WHERE model = {model:String}
       AND timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC') ${segment}`,
    {
      model: input.model,
      from: input.from.getTime(),
      to: input.to.getTime(),
      tag: input.segment?.tag ?? '',
      tag_value: input.segment?.value ?? '',
    },
  );
  const s = statsRow.parse(row);
  const minutes = (input.to.getTime() - input.from.getTime()) / 60_000;
  return {
    count: s.count,
    errors: s.errors,
    error_rate: s.count === 0 ? 0 : s.errors / s.count,
    latency_ms: { p50: s.p50, p95: s.p95, p99: s.p99 },
    throughput_per_min: minutes > 0 ? s.count / minutes : 0,
  };
}

/** Tag keys of a model's recent predictions with their most frequent values (segment filters). */
export async function modelTags(
  store: Store,
  input: { model: string; from: Date; to: Date; sampleRows?: number },
): Promise<{ key: string; values: string[] }[]> {
  // The tags of a bounded number of rows: enough to find the keys and their common values
  // without reading a whole range's maps.
  const rows = await store.query<{ key: string; values: string[] }>(
    `SELECT key, arrayMap(x -> x.1, arrayReverseSort(x -> x.2, groupArray((value, n)))) AS values
     FROM (
       SELECT CAST(k, 'String') AS key, v AS value, count() AS n
       FROM (
         SELECT tags FROM ${Tables.predictions}
         WHERE model = {model:String}
           AND timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
           AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
         LIMIT {sample:UInt32}
       )
       ARRAY JOIN mapKeys(tags) AS k, mapValues(tags) AS v
       GROUP BY key, value
       ORDER BY n DESC
       LIMIT 20 BY key
     )
     GROUP BY key ORDER BY key`,
    {
      model: input.model,
      from: input.from.getTime(),
      to: input.to.getTime(),
      sample: input.sampleRows ?? 100_000,
    },
  );
  return rows.map((r) => ({ key: r.key, values: r.values }));
}
