import { z } from 'zod';
import type { QueryParams, Store } from '../store/store';
import { Tables } from '../tables';
import { count } from '../queries/codecs';
import { HOUR_MS, MINUTE_MS, cover, exactOn, type Grid, type Piece } from './cover';
import { segmentRolledUp } from './segments';

/** Which predictions: a model (all when left out), a version, a segment (`tags[tag] = value`). */
export interface SeriesFilter {
  model?: string;
  version?: string;
  segment?: { tag: string; value: string };
}

/**
 * `auto` reads the rollups where they answer exactly (raw rows for the ragged minute ends, and for
 * a segment whose tag key the model does not configure as a segment, which no rollup keeps);
 * `raw` reads predictions only (benchmarks, checks).
 */
export type SeriesSource = 'auto' | 'raw';

/** One model's aggregate over one bucket. */
export interface SeriesAggregate {
  model: string;
  bucket: number;
  count: number;
  errors: number;
  /** DDSketch latency quantiles: within 1% of the exact floor(q · (n − 1))-th latency. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Epoch ms of the latest event in the bucket. */
  last_seen: number;
}

/**
 * Latency quantiles everywhere in the dashboard are DDSketch with 1% relative accuracy. Its state
 * is small (hundreds of bytes a minute) and merges exactly, so a range read from rollups and raw
 * rows agrees with one read from raw rows only. Spelled as in migrations 0042–0047.
 */
const SKETCH = '0.01, 0.5, 0.95, 0.99';

const LEVEL_TABLE = new Map<number, string>([
  [HOUR_MS, Tables.predictions1h],
  [MINUTE_MS, Tables.predictions1m],
]);
const SEGMENT_LEVEL_TABLE = new Map<number, string>([
  [HOUR_MS, Tables.predictionsSegments1h],
  [MINUTE_MS, Tables.predictionsSegments1m],
]);

/**
 * Aggregates predictions in [from, to) per model and grid bucket. With `approximate`, a grid the
 * minute rollup does not fit exactly (an unaligned sparkline) still reads it, each minute counted
 * in the bucket of its start; totals over [from, to) stay exact. `quantiles: false` skips the
 * sketches (counts only).
 */
export async function aggregateSeries(
  store: Store,
  q: SeriesFilter & {
    from: number;
    to: number;
    grid: Grid;
    quantiles?: boolean;
    approximate?: boolean;
    source?: SeriesSource;
  },
): Promise<SeriesAggregate[]> {
  const rolledUp =
    q.source !== 'raw' &&
    (!q.segment ||
      (q.model !== undefined && (await segmentRolledUp(store, q.model, q.segment.tag))));
  const pieces = cover(q.from, q.to, rolledUp ? levelsFor(q) : []);
  if (pieces.length === 0) return [];
  const quantiles = q.quantiles ?? true;
  const params: QueryParams = { origin: q.grid.origin, num: q.grid.num, den: q.grid.den };
  const filter = filterSql(q, params);
  const parts = pieces.map((piece, i) => {
    params[`from${i}`] = piece.level === null ? piece.from : piece.from / 1000;
    params[`to${i}`] = piece.level === null ? piece.to : piece.to / 1000;
    return pieceSql(piece, i, filter, { quantiles, segment: q.segment !== undefined });
  });
  const rows = await store.query(
    `SELECT model, bucket, sum(n) AS count, sum(e) AS errors, sum(nl) AS latencies,
            ${quantiles ? `quantilesDDMerge(${SKETCH})(sketch)` : '[]'} AS q,
            toUnixTimestamp64Milli(max(ls)) AS last_seen
     FROM (${parts.join('\n UNION ALL \n')})
     GROUP BY model, bucket`,
    params,
  );
  return rows.map((r) => {
    const a = aggregateRow.parse(r);
    const quantile = (i: number) => (a.latencies === 0 ? null : (a.q[i] ?? null));
    return {
      model: a.model,
      bucket: a.bucket,
      count: a.count,
      errors: a.errors,
      p50: quantile(0),
      p95: quantile(1),
      p99: quantile(2),
      last_seen: a.last_seen,
    };
  });
}

const aggregateRow = z.object({
  model: z.string(),
  bucket: z.coerce.number(),
  count,
  errors: count,
  latencies: count,
  q: z.array(z.number().nullable()),
  last_seen: z.coerce.number(),
});

function levelsFor(q: { grid: Grid; approximate?: boolean }): number[] {
  const exact = [HOUR_MS, MINUTE_MS].filter((level) => exactOn(q.grid, level));
  return exact.length > 0 || !q.approximate ? exact : [MINUTE_MS];
}

/** The conditions on raw rows and on a rollup's rows (where a segment is a key column). */
function filterSql(f: SeriesFilter, params: QueryParams): { raw: string[]; rollup: string[] } {
  const where: string[] = [];
  if (f.model !== undefined) {
    where.push('model = {model:String}');
    params.model = f.model;
  }
  if (f.version !== undefined) {
    where.push('version = {version:String}');
    params.version = f.version;
  }
  if (!f.segment) return { raw: where, rollup: where };
  params.tag = f.segment.tag;
  params.tag_value = f.segment.value;
  return {
    raw: [...where, 'tags[{tag:String}] = {tag_value:String}'],
    rollup: [...where, 'tag = {tag:String}', 'value = {tag_value:String}'],
  };
}

/** One piece as rows of (model, bucket, n, e, nl, [sketch,] ls), from raw rows or a rollup. */
function pieceSql(
  piece: Piece,
  i: number,
  filter: { raw: string[]; rollup: string[] },
  opts: { quantiles: boolean; segment: boolean },
): string {
  const { quantiles } = opts;
  const bucket = (ms: string) => `intDiv((${ms} - {origin:Int64}) * {num:Int64}, {den:Int64})`;
  if (piece.level === null) {
    const where = [
      ...filter.raw,
      `timestamp >= fromUnixTimestamp64Milli({from${i}:Int64}, 'UTC')`,
      `timestamp < fromUnixTimestamp64Milli({to${i}:Int64}, 'UTC')`,
    ];
    return `SELECT model, ${bucket('toUnixTimestamp64Milli(timestamp)')} AS bucket, count() AS n,
              countIf(is_error) AS e, count(latency_ms) AS nl,
              ${quantiles ? `quantilesDDState(${SKETCH})(latency_ms) AS sketch,` : ''}
              max(timestamp) AS ls
            FROM ${Tables.predictions} WHERE ${where.join(' AND ')} GROUP BY model, bucket`;
  }
  const where = [
    ...filter.rollup,
    `timestamp >= toDateTime({from${i}:Int64}, 'UTC')`,
    `timestamp < toDateTime({to${i}:Int64}, 'UTC')`,
  ];
  return `SELECT model, ${bucket('toUnixTimestamp(timestamp) * 1000')} AS bucket, sum(events) AS n,
            sum(errors) AS e, sum(latencies) AS nl,
            ${quantiles ? `quantilesDDMergeState(${SKETCH})(latency) AS sketch,` : ''}
            max(last_seen) AS ls
          FROM ${(opts.segment ? SEGMENT_LEVEL_TABLE : LEVEL_TABLE).get(piece.level)} WHERE ${where.join(' AND ')} GROUP BY model, bucket`;
}
