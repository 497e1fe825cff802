import { Tables, type Store } from '@osprey/db';
import { twoProportionZ } from '../drift/statistics';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRows, type RowSet } from '../sql/rows';
import type { Scope } from '../reference/resolve';
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

/** Latency percentiles of the window (ClickHouse's exact quantiles, as the stats API). */
export async function detectLatency(store: Store, scope: Scope) {
  const cur = predictionRows('cur', { ...scope, ...scope.window });
  const [r] = (await store.query<{ n: string; q: (number | null)[]; mx: number | null }>(
    `SELECT countIf(latency_ms IS NOT NULL) AS n,
            quantilesExactLow(0.5, 0.9, 0.95, 0.99)(latency_ms) AS q, max(latency_ms) AS mx
     FROM (${cur.sql})`,
    cur.params,
  )) as [{ n: string; q: (number | null)[]; mx: number | null }];
  const n = Number(r.n);
  const at = (i: number) => (n === 0 ? null : (r.q[i] ?? null));
  const document = {
    window: isoWindow(scope.window),
    count: n,
    p50: at(0),
    p90: at(1),
    p95: at(2),
    p99: at(3),
    max: n === 0 ? null : r.mx,
  };
  const rows = (['p50', 'p90', 'p95', 'p99', 'max'] as const).map((s) =>
    model(s, document[s], { current_size: n }),
  );
  return { document, rows, referenceKey: '' };
}

/**
 * The window's error rate against the reference period's (the chosen range, else the previous
 * window — a reference dataset has no errors), with a two-proportion z-test: "alert" when the rate
 * rose significantly (p < 0.05).
 */
export async function detectErrors(store: Store, settings: ModelSettings, scope: Scope) {
  const { window } = scope;
  const range =
    settings.reference?.source === 'range'
      ? {
          from: new Date(settings.reference.from!).getTime(),
          to: new Date(settings.reference.to!).getTime(),
        }
      : { from: window.from - (window.to - window.from), to: window.from };
  const curRows = predictionRows('cur', { ...scope, ...window });
  const refRows = predictionRows('ref', { ...scope, ...range });
  const counted = (rows: RowSet) =>
    `(SELECT countIf(is_error) AS e, count() AS n FROM (${rows.sql}))`;
  const [r] = (await store.query<Record<'ce' | 'cn' | 're' | 'rn', string>>(
    `SELECT c.e AS ce, c.n AS cn, r.e AS re, r.n AS rn
     FROM ${counted(curRows)} AS c CROSS JOIN ${counted(refRows)} AS r`,
    { ...curRows.params, ...refRows.params },
  )) as [Record<'ce' | 'cn' | 're' | 'rn', string>];
  const cur = { errors: Number(r.ce), count: Number(r.cn) };
  const ref = { errors: Number(r.re), count: Number(r.rn) };
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
    reference: { ...isoWindow(range), errors: ref.errors, count: ref.count, error_rate: rate(ref) },
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
}

const HISTORY_DAYS = 7;

/**
 * Predictions per minute in the window against the model's usual range: the 5th to 95th
 * percentile of its per-minute counts over the previous 7 days (minutes without traffic count as
 * 0, from its first event in that period).
 */
export async function detectThroughput(store: Store, scope: Scope) {
  const { window } = scope;
  const historyFrom = window.from - HISTORY_DAYS * 86_400_000;
  const tp = predictionRows('tp', { ...scope, from: historyFrom, to: window.to });
  // Every minute from the model's first event of the history period (else the window's start)
  // to the window's end, in one statement; the window's own minutes are split off after.
  const counted = await store.query<{ m: string; c: string }>(
    `SELECT toUnixTimestamp(toStartOfMinute(timestamp)) AS m, count() AS c FROM (${tp.sql})
     GROUP BY m ORDER BY m WITH FILL
       FROM toUnixTimestamp(toStartOfMinute(ifNull(
         (SELECT min(timestamp) FROM ${Tables.predictions}
          WHERE model = {tp_model:String} AND timestamp >= fromUnixTimestamp64Milli({tp_from:Int64}, 'UTC')
            AND timestamp < fromUnixTimestamp64Milli({window_from:Int64}, 'UTC') HAVING count() > 0),
         fromUnixTimestamp64Milli({window_from:Int64}, 'UTC'))))
       TO toUnixTimestamp(toStartOfMinute(fromUnixTimestamp64Milli({tp_to:Int64}, 'UTC'))) STEP 60`,
    { ...tp.params, window_from: window.from },
  );
  const split = Math.floor(window.from / 1000);
  const current = counted.filter((r) => Number(r.m) >= split).map((r) => Number(r.c));
  const history = counted.filter((r) => Number(r.m) < split).map((r) => Number(r.c));
  const total = current.reduce((a, b) => a + b, 0);
  const mean = current.length === 0 ? 0 : total / current.length;
  const usual = history.length === 0 ? null : percentiles(history, [0.05, 0.5, 0.95]);
  const status = !usual ? 'unknown' : mean < usual[0]! ? 'low' : mean > usual[2]! ? 'high' : 'ok';
  const document = {
    window: isoWindow(window),
    count: total,
    per_minute: {
      mean,
      min: current.length > 0 ? Math.min(...current) : 0,
      max: current.length > 0 ? Math.max(...current) : 0,
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
