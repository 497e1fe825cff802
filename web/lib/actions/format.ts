/** Formatting shared by the action pages; UTC everywhere so server and browser render alike. */

export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function whenSeconds(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function number(n: number | null | undefined, digits = 4): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return n.toExponential(2);
  return Number(n.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function percent(r: number | null | undefined, digits = 1): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return `${(r * 100).toFixed(digits)}%`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** `user:<id>` / `api_key:<id>` / `alert-rule:<id>` as something a person reads. */
export function actor(a: string, names: Record<string, string> = {}): string {
  if (names[a]) return names[a]!;
  const [kind, id] = a.split(':', 2);
  if (!id) return a;
  const short = id.slice(0, 8);
  if (kind === 'user') return `user ${short}`;
  if (kind === 'api_key') return `API key ${short}`;
  if (kind === 'alert-rule') return `alert rule ${short}`;
  return a;
}

/** "1 rule", "3 rules", "2 batches". */
export function plural(n: number, noun: string): string {
  const many = /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : many}`;
}
