import type { QueryParams, Store } from '@osprey/db';
import { LABEL_CLASS, PREDICTED_CLASS, type Task } from '../performance/performance';
import { BINARY_THRESHOLD } from './confusion-matrix';

/** Segments with fewer labelled rows are listed after the others, whatever their metric. */
export const MIN_SEGMENT_ROWS = 30;
/** Values listed per tag key: the worst ones. */
export const SEGMENT_VALUES_PER_KEY = 20;

export interface SegmentRow {
  key: string;
  value: string;
  n: number;
  metric: number;
  /** Sampling error of the metric: √(p(1−p)/n) for accuracy, std(|e|)/√n for MAE. */
  stderr: number;
  /** How much worse than the whole (positive: worse), in the metric's unit. */
  worse_by: number;
  /** Fewer than min_rows labelled rows: listed last. */
  small: boolean;
}

export interface SegmentPerformance {
  metric: 'accuracy' | 'mae';
  overall: { n: number; metric: number; stderr: number } | null;
  min_rows: number;
  /** Every tag key of the labelled rows, its number of values, and whether settings name it. */
  keys: { key: string; values: number; configured: boolean }[];
  /** Worst first: segments of at least min_rows by worse_by, then the small ones. */
  rows: SegmentRow[];
}

/** Per row, the error the metric averages: 1 − correct for accuracy (kept as correct), |e| for MAE. */
function perRow(task: Task): string {
  if (task === 'regression') return `abs(assumeNotNull(ln) - assumeNotNull(pn))`;
  if (task === 'binary') return `toFloat64(toUInt8(assumeNotNull(pn) >= ${BINARY_THRESHOLD}) = ln)`;
  return `toFloat64(${LABEL_CLASS} = ${PREDICTED_CLASS})`;
}

/**
 * Performance per tag value ("where is my model failing?"): accuracy for classifiers, MAE for
 * regression, with n and sampling error, for every tag key of the labelled rows, worst first.
 * One grouped pass over the tags in ClickHouse; each key keeps its SEGMENT_VALUES_PER_KEY worst
 * values of at least `minRows` rows (then the largest small ones).
 */
export async function segmentPerformance(
  store: Store,
  labelled: string,
  params: QueryParams,
  task: Task,
  configured: string[],
  minRows = MIN_SEGMENT_ROWS,
): Promise<SegmentPerformance> {
  const regression = task === 'regression';
  const rows = `SELECT ${perRow(task)} AS e, tags FROM (${labelled})
                WHERE ${regression ? 'pn IS NOT NULL AND ln IS NOT NULL' : task === 'binary' ? 'pn IS NOT NULL' : `${PREDICTED_CLASS} IS NOT NULL`}`;
  // One pass: row 0 of each labelled row's ARRAY JOIN stands for the whole (`whole`), the others
  // for its tags, so the labelled rows are joined once.
  const groups = await store.query<{
    whole: number;
    k: string;
    v: string;
    n: string;
    m: number;
    sd: number;
    values: string;
  }>(
    `SELECT whole, k, v, n, m, sd, values FROM (
       SELECT i = 0 AS whole, if(whole, '', CAST(mapKeys(tags)[i], 'String')) AS k,
              if(whole, '', mapValues(tags)[i]) AS v,
              count() AS n, avg(e) AS m, stddevSamp(e) AS sd,
              count() OVER (PARTITION BY whole, k) AS values
       FROM (${rows}) ARRAY JOIN arrayConcat([0], arrayEnumerate(mapKeys(tags))) AS i
       GROUP BY whole, k, v)
     ORDER BY whole DESC, k, n >= {seg_min:UInt64} DESC, if(n >= {seg_min:UInt64}, m, 0) ${regression ? 'DESC' : 'ASC'}, n DESC, v
     LIMIT {seg_per_key:UInt64} BY whole, k`,
    { ...params, seg_min: minRows, seg_per_key: SEGMENT_VALUES_PER_KEY },
  );
  const overall = groups.find((g) => Number(g.whole) === 1);
  const tagged = groups.filter((g) => Number(g.whole) !== 1);
  const n = Number(overall?.n ?? 0);
  const stderr = (m: number, sd: number, count: number) =>
    regression ? (count > 1 ? sd / Math.sqrt(count) : 0) : Math.sqrt((m * (1 - m)) / count);
  const whole =
    n > 0 ? { n, metric: overall!.m, stderr: stderr(overall!.m, overall!.sd, n) } : null;
  const out: SegmentRow[] = tagged.map((g) => {
    const count = Number(g.n);
    return {
      key: g.k,
      value: g.v,
      n: count,
      metric: g.m,
      stderr: stderr(g.m, g.sd, count),
      worse_by: whole ? (regression ? g.m - whole.metric : whole.metric - g.m) : 0,
      small: count < minRows,
    };
  });
  out.sort((a, b) => Number(a.small) - Number(b.small) || b.worse_by - a.worse_by || b.n - a.n);
  const keys = new Map<string, number>();
  for (const g of tagged) keys.set(g.k, Number(g.values));
  return {
    metric: regression ? 'mae' : 'accuracy',
    overall: whole,
    min_rows: minRows,
    keys: [...keys]
      .map(([key, values]) => ({ key, values, configured: configured.includes(key) }))
      .sort((a, b) => Number(b.configured) - Number(a.configured) || a.key.localeCompare(b.key)),
    rows: out,
  };
}
