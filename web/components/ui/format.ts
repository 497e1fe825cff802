/** Number and time formats of the monitoring pages (UTC, so server and browser render alike). */
export { number, percent, when } from '@/lib/actions/format';

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;
}

/** 1234 → 1.2k, 5_600_000 → 5.6M. */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(
    n,
  );
}

/** An error rate: more digits when small, so 0.04% does not read as 0.0%. */
export function rate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  if (r === 0) return '0%';
  return `${(r * 100).toFixed(r < 0.001 ? 3 : r < 0.1 ? 2 : 1)}%`;
}

/**
 * A drift statistic or p-value: 4 significant digits, exponent when tiny. P-values below double
 * precision's resolution near 1 read as "< 1e-16" (as R prints them), not as a denormal.
 */
export function statistic(v: number | null | undefined, pValue = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (pValue && v < 1e-16) return '< 1e-16';
  if (v !== 0 && Math.abs(v) < 1e-4) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** How long ago, from `now` (ms). */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** HH:MM UTC, with the date when the range spans days. */
export function clock(t: string | number, withDate = false): string {
  const iso = new Date(t).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}
