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

/**
 * The model's windows of `minutes` that overlap [from, to), oldest first: a range that does not
 * fall on window edges is widened to them, so a detection over any range stores whole windows.
 */
export function windowsOverlapping(from: number, to: number, minutes: number): Window[] {
  const size = minutes * MINUTE;
  const out: Window[] = [];
  for (let start = Math.floor(from / size) * size; start < to; start += size) {
    out.push({ from: start, to: start + size });
  }
  return out;
}

export function isoWindow(w: Window): { from: string; to: string } {
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
}
