/** The dashboard's time ranges, kept in the URL (`?range=6h`, or `?from=…&to=…` for a custom one). */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const PRESETS = [
  { key: '1h', label: '1h', title: 'Last hour', ms: HOUR },
  { key: '6h', label: '6h', title: 'Last 6 hours', ms: 6 * HOUR },
  { key: '24h', label: '24h', title: 'Last 24 hours', ms: 24 * HOUR },
  { key: '7d', label: '7d', title: 'Last 7 days', ms: 7 * 24 * HOUR },
] as const;

export const DEFAULT_RANGE = '24h';

export interface TimeRange {
  /** A preset's key, or 'custom'. */
  key: string;
  from: number;
  to: number;
  /** Presets end now and move with the clock; a custom range stays where it is. */
  live: boolean;
  title: string;
}

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The range the URL asks for; an unknown preset or a malformed custom range is the default. */
export function resolveRange(params: Params, now = Date.now()): TimeRange {
  const from = Date.parse(one(params.from) ?? '');
  const to = Date.parse(one(params.to) ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) {
    return { key: 'custom', from, to, live: false, title: `${shortTime(from)} → ${shortTime(to)}` };
  }
  const preset = PRESETS.find((p) => p.key === one(params.range)) ?? presetOf(DEFAULT_RANGE);
  return { key: preset.key, from: now - preset.ms, to: now, live: true, title: preset.title };
}

/** A live range moved to end now. */
export function advance(range: TimeRange, now = Date.now()): TimeRange {
  if (!range.live) return range;
  return { ...range, from: now - (range.to - range.from), to: now };
}

/** The range with its ends on whole steps (the last step still filling), for bucketed charts. */
export function aligned(range: TimeRange, stepSeconds: number): { from: Date; to: Date } {
  const step = stepSeconds * 1000;
  const to = Math.ceil(range.to / step) * step;
  const from = to - Math.ceil((range.to - range.from) / step) * step;
  return { from: new Date(from), to: new Date(to) };
}

function presetOf(key: string) {
  return PRESETS.find((p) => p.key === key)!;
}

export function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
