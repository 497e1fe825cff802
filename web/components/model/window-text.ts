/** A window length in words: "15 min", "1 h", "6 h", "1 day". */
export function windowLength(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/** What a window was compared with, in words (the drift panel's note). */
export function comparedLabel(
  compared: {
    source: string;
    size: number;
    reference_id?: string;
    from?: string;
    to?: string;
  } | null,
  clock: (t: string, withDate?: boolean) => string,
): string {
  if (!compared) return 'no reference';
  const rows = `${compared.size.toLocaleString('en-US')} rows`;
  if (compared.source === 'dataset')
    return `dataset ${compared.reference_id ?? ''} (${rows})`.replace('  ', ' ');
  const span =
    compared.from && compared.to ? ` ${clock(compared.from, true)}–${clock(compared.to)}` : '';
  const what = compared.source === 'previous_window' ? 'previous window' : 'range';
  return `${what}${span} (${rows})`;
}
