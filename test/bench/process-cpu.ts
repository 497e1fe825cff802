import { childPids, statFields } from '../support/proc';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User + system ticks (all threads) a process has used so far; 0 if it has just ended. */
function ticksOf(pid: number): number {
  try {
    const fields = statFields(pid);
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU seconds a live process has used so far, from /proc; with `children`, its live children's
 * too (a collector's workers).
 */
export function cpuSeconds(pid: number, children = false): number {
  const own = statFields(pid);
  let ticks = Number(own[11]) + Number(own[12]);
  for (const child of children ? childPids(pid) : []) ticks += ticksOf(child);
  return ticks / TICKS;
}

export interface Watched {
  pid: number;
  /** Count its children too (a collector's workers). */
  children?: boolean;
}

/** CPU seconds each named process spends between the call and `stop()`. */
export function cpuMeter(watched: Record<string, Watched>): { stop(): Record<string, number> } {
  const read = (w: Watched) => cpuSeconds(w.pid, w.children);
  const start = Object.fromEntries(Object.entries(watched).map(([k, w]) => [k, read(w)]));
  return {
    stop: () =>
      Object.fromEntries(Object.entries(watched).map(([k, w]) => [k, read(w) - start[k]!])),
  };
}

/** Sum and count of a Prometheus histogram in a /metrics text (all label sets together). */
export function histogramTotals(metrics: string, name: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of metrics.split('\n')) {
    const [series, value] = line.split(' ');
    if (series?.startsWith(`${name}_sum`)) sum += Number(value);
    if (series?.startsWith(`${name}_count`)) count += Number(value);
  }
  return { sum, count };
}
