/** A detection window: [from, to) in epoch milliseconds. */
export interface Window {
  from: number;
  to: number;
}

const MINUTE = 60_000;

/** The tumbling window of `minutes` that contains `t` (windows are aligned to the epoch). */
export function windowAt(t: number, minutes: number): Window {
  const size = minutes * MINUTE;
  const from = Math.floor(t / size) * size;
  return { from, to: from + size };
}

/** The windows of `minutes` that end in (after, upTo], oldest first. */
export function closedWindows(after: number, upTo: number, minutes: number): Window[] {
  const size = minutes * MINUTE;
  const out: Window[] = [];
  for (let end = Math.floor(after / size) * size + size; end <= upTo; end += size) {
    out.push({ from: end - size, to: end });
  }
  return out;
}

export function isoWindow(w: Window): { from: string; to: string } {
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
}
