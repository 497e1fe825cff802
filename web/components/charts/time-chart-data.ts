import { niceTicks } from '../../lib/actions/ticks';

type Row = { t: string } & Record<string, unknown>;

/** The key under which a series' last, partial bucket is drawn (dashed, beside its line). */
export const partialKey = (key: string) => `${key}__partial`;

/**
 * Splits off the last bucket when it ends after `completeUntil` (it is still filling: a live
 * range's current minute or hour): each series with a value there stops its solid line one bucket
 * earlier, and a dashed segment under `partialKey(key)` joins the last complete bucket to the
 * partial one, so a bucket that has only begun does not read as a fall. `partial`: those series.
 */
export function splitPartial<R extends Row>(
  rows: R[],
  keys: string[],
  completeUntil: number | undefined,
): { rows: R[]; partial: string[] } {
  if (completeUntil === undefined || rows.length < 2) return { rows, partial: [] };
  const step = Date.parse(rows[1]!.t) - Date.parse(rows[0]!.t);
  const last = rows.length - 1;
  if (!(step > 0) || Date.parse(rows[last]!.t) + step <= completeUntil)
    return { rows, partial: [] };
  // Only series with a value in the partial bucket have something to draw there.
  const partial = keys.filter((k) => rows[last]![k] != null);
  return {
    partial,
    rows: rows.map((r, i) => {
      if (i < last - 1) return r;
      const out: Record<string, unknown> = { ...r };
      for (const k of partial) {
        out[partialKey(k)] = r[k] ?? null;
        if (i === last) out[k] = null;
      }
      return out as R;
    }),
  };
}

/**
 * Round y-axis ticks (steps of 1, 2 or 5 × 10^k) covering the values, a fixed end of `domain`
 * and the threshold: 0.78 and 0.8, never 0.7905.
 */
export function yTicks(
  values: number[],
  domain: [number | 'auto', number | 'auto'],
  threshold?: number,
): number[] {
  const seen = [...values, ...(threshold === undefined ? [] : [threshold])].filter(Number.isFinite);
  if (seen.length === 0) return [];
  let lo = typeof domain[0] === 'number' ? domain[0] : Math.min(...seen);
  let hi = typeof domain[1] === 'number' ? domain[1] : Math.max(...seen);
  lo = Math.min(lo, ...seen);
  hi = Math.max(hi, ...seen);
  if (!(hi > lo)) {
    // One level: a band around it (from 0 when the axis starts there).
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
    hi += pad;
    if (typeof domain[0] !== 'number') lo -= pad;
  }
  return niceTicks(lo, hi, 4);
}

/** Below this many points a series is drawn with straight segments: a smooth curve invents shape. */
export const SMOOTH_FROM_POINTS = 12;

export function curveType(points: number): 'linear' | 'monotone' {
  return points < SMOOTH_FROM_POINTS ? 'linear' : 'monotone';
}
