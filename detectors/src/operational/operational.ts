import type { Store } from '@osprey/db';
import { twoProportionZ } from '../drift/statistics';
import { predictionRowsOf, targetKey, type RowSet } from '../sql/rows';
import type { Target } from '../reference/resolve';
import { isoWindow } from '../window';
import type { ResultRow } from '../results/runs';

export interface Detected<D> {
  document: D;
  rows: ResultRow[];
  referenceKey: string;
}

const model = (
  statistic: string,
  value: number | null,
  extra: Partial<ResultRow> = {},
): ResultRow => ({
  target: 'model',
  feature: '',
  kind: 'operational',
  statistic,
  value,
  ...extra,
});

/** Latency percentiles of each target's window (ClickHouse's exact quantiles, as the stats API). */
export async function detectLatency(store: Store, targets: readonly Target[]) {
  const cur = predictionRowsOf(
    'cur',
    targets.map(({ scope }) => ({ scope, ...scope.window })),
  );
  type Row = { target: string; n: string; q: (number | null)[]; mx: number | null };
  const byModel = keyed(
    await store.query<Row>(
      `SELECT target, countIf(latency_ms IS NOT NULL) AS n,
              quantilesExactLow(0.5, 0.9, 0.95, 0.99)(latency_ms) AS q, max(latency_ms) AS mx
       FROM (${cur.sql}) GROUP BY target`,
      cur.params,
    ),
  );
  return targets.map(({ scope }) => {
    const r = byModel.get(targetKey(scope));
    const n = r ? Number(r.n) : 0;
    const at = (i: number) => (n === 0 ? null : (r!.q[i] ?? null));
    const document = {
      window: isoWindow(scope.window),
      count: n,
      p50: at(0),
      p90: at(1),
      p95: at(2),
      p99: at(3),
      max: n === 0 ? null : r!.mx,
    };
    const rows = (['p50', 'p90', 'p95', 'p99', 'max'] as const).map((s) =>
      model(s, document[s], { current_size: n }),
    );
    return { document, rows, referenceKey: '' };
  });
}

/**
 * Each target's error rate against its reference period's (the chosen range, else the previous
 * window — a reference dataset has no errors), with a two-proportion z-test: "alert" when the rate
 * rose significantly (p < 0.05).
 */
export async function detectErrors(store: Store, targets: readonly Target[]) {
  const ranges = targets.map(({ settings, scope: { window } }) =>
    settings.reference?.source === 'range'
      ? {
          from: new Date(settings.reference.from!).getTime(),
          to: new Date(settings.reference.to!).getTime(),
        }
      : { from: window.from - (window.to - window.from), to: window.from },
  );
  const curRows = predictionRowsOf(
    'cur',
    targets.map(({ scope }) => ({ scope, ...scope.window })),
  );
  const refRows = predictionRowsOf(
    'ref',
    targets.map(({ scope }, i) => ({ scope, ...ranges[i]! })),
  );
  const counted = (source: number, rows: RowSet) =>
    `SELECT ${source} AS s, target, countIf(is_error) AS e, count() AS n FROM (${rows.sql}) GROUP BY target`;
  type Row = Record<'ce' | 'cn' | 're' | 'rn', string> & { target: string };
  const byModel = keyed(
    await store.query<Row>(
      `SELECT target, sumIf(e, s = 0) AS ce, sumIf(n, s = 0) AS cn, sumIf(e, s = 1) AS re,
              sumIf(n, s = 1) AS rn
       FROM (${counted(0, curRows)} UNION ALL ${counted(1, refRows)}) GROUP BY target`,
      { ...curRows.params, ...refRows.params },
    ),
  );
  return targets.map(({ scope }, i) => {
    const { window } = scope;
    const range = ranges[i]!;
    const r = byModel.get(targetKey(scope));
    const cur = { errors: Number(r?.ce ?? 0), count: Number(r?.cn ?? 0) };
    const ref = { errors: Number(r?.re ?? 0), count: Number(r?.rn ?? 0) };
    const rate = (c: { errors: number; count: number }) =>
      c.count === 0 ? null : c.errors / c.count;
    const judged = cur.count > 0 && ref.count > 0;
    const pValue = judged ? twoProportionZ(ref.errors, ref.count, cur.errors, cur.count) : null;
    const rose = judged && rate(cur)! > rate(ref)!;
    const status = !judged ? 'unknown' : pValue! < 0.05 && rose ? 'alert' : 'ok';
    const document = {
      window: isoWindow(window),
      errors: cur.errors,
      count: cur.count,
      error_rate: rate(cur),
      reference: {
        ...isoWindow(range),
        errors: ref.errors,
        count: ref.count,
        error_rate: rate(ref),
      },
      p_value: pValue,
      status,
    };
    const rows = [
      model('error_rate', rate(cur), {
        p_value: pValue,
        threshold: 0.05,
        is_verdict: true,
        status,
        reference_size: ref.count,
        current_size: cur.count,
      }),
      model('errors', cur.errors, { current_size: cur.count }),
    ];
    return { document, rows, referenceKey: `window:${range.from}/${range.to}` };
  });
}

const HISTORY_DAYS = 7;
const MINUTE = 60_000;

/**
 * Predictions per minute in each target's window against the model's usual range: the 5th to
 * 95th percentile of its per-minute counts over the previous 7 days (minutes without traffic count
 * as 0, from its first event in that period). Only minutes with traffic leave the store; the
 * silent ones are counted, not listed.
 */
export async function detectThroughput(store: Store, targets: readonly Target[]) {
  const window = targets[0]!.scope.window;
  const historyFrom = window.from - HISTORY_DAYS * 86_400_000;
  const tp = predictionRowsOf(
    'tp',
    targets.map(({ scope }) => ({ scope, from: historyFrom, to: window.to })),
  );
  // The minutes of the old WITH FILL: every minute start from the first event's minute (of the
  // history, else the window's start) up to the window end's minute, exclusive; those at or after
  // `split` (the window's start, to the second) are the window's. A minute with traffic at the
  // window end's minute itself (an end off the minute) counts as well.
  const split = Math.floor(window.from / 1000) * 1000;
  const gridEnd = Math.floor(window.to / MINUTE) * MINUTE;
  type Row = {
    target: string;
    first: number | null;
    current: string[];
    history: string[];
    at_end: number;
  };
  const byModel = keyed(
    await store.query<Row>(
      `SELECT target,
              if(countIf(t0 < {window_from:Int64}) = 0, NULL, minIf(t0, t0 < {window_from:Int64})) AS first,
              arraySort(groupArrayIf(c, m >= {split:Int64})) AS current,
              arraySort(groupArrayIf(c, m < {split:Int64})) AS history,
              countIf(m = {grid_end:Int64}) AS at_end
       FROM (SELECT target, intDiv(toUnixTimestamp64Milli(timestamp), ${MINUTE}) * ${MINUTE} AS m,
                    count() AS c, min(toUnixTimestamp64Milli(timestamp)) AS t0
             FROM (${tp.sql}) GROUP BY target, m)
       GROUP BY target`,
      { ...tp.params, window_from: window.from, split, grid_end: gridEnd },
    ),
  );
  return targets.map(({ scope }) => {
    const r = byModel.get(targetKey(scope));
    const firstMinute = Math.floor((r?.first ?? window.from) / MINUTE) * MINUTE;
    const grid = Math.max(0, (gridEnd - firstMinute) / MINUTE);
    const gridBefore = Math.min(grid, Math.max(0, Math.ceil((split - firstMinute) / MINUTE)));
    const atEnd = r && r.at_end > 0 ? 1 : 0;
    const endIsCurrent = gridEnd >= split;
    const current = withSilentMinutes(
      r?.current ?? [],
      grid - gridBefore + (endIsCurrent ? atEnd : 0),
    );
    const history = withSilentMinutes(r?.history ?? [], gridBefore + (endIsCurrent ? 0 : atEnd));
    const total = current.reduce((a, b) => a + b, 0);
    const mean = current.length === 0 ? 0 : total / current.length;
    const usual = history.length === 0 ? null : percentiles(history, [0.05, 0.5, 0.95]);
    const status = !usual ? 'unknown' : mean < usual[0]! ? 'low' : mean > usual[2]! ? 'high' : 'ok';
    const document = {
      window: isoWindow(window),
      count: total,
      per_minute: {
        mean,
        min: current.length > 0 ? current[0]! : 0,
        max: current.length > 0 ? current[current.length - 1]! : 0,
      },
      usual: usual && { p5: usual[0], p50: usual[1], p95: usual[2], minutes: history.length },
      status,
    };
    const rows = [
      model('per_minute', mean, {
        is_verdict: true,
        status,
        threshold: null,
        reference_size: history.length,
        current_size: total,
      }),
    ];
    return { document, rows, referenceKey: `history:${historyFrom}/${window.from}` };
  });
}

/** Ascending per-minute counts of `minutes` minutes, given those of the minutes with traffic. */
function withSilentMinutes(busy: readonly string[], minutes: number): number[] {
  const silent = Math.max(0, minutes - busy.length);
  return [...new Array<number>(silent).fill(0), ...busy.map(Number)];
}

function keyed<R extends { target: string }>(rows: R[]): Map<string, R> {
  return new Map(rows.map((r) => [r.target, r]));
}

/** Percentiles by numpy's "linear" method. */
function percentiles(values: number[], levels: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return levels.map((q) => {
    const h = (sorted.length - 1) * q;
    const lo = Math.floor(h);
    return (
      sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!)
    );
  });
}
