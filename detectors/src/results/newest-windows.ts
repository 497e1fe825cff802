/** A stored window of runs: its bounds (epoch ms) and when its latest run was computed. */
export interface StoredWindow {
  from: number;
  to: number;
  computedAt: number;
}

/**
 * The windows readers show: where stored windows overlap (a range once stored as one window, a
 * recompute after the window length changed), the most recently computed one wins, as a recompute
 * of the same window replaces it. Answers the kept windows, oldest first.
 */
export function newestWindows<T extends StoredWindow>(windows: readonly T[]): T[] {
  const kept: T[] = []; // sorted by `from`, never overlapping
  const byNewest = [...windows].sort((a, b) => b.computedAt - a.computedAt || a.from - b.from);
  for (const w of byNewest) {
    // The first kept window that ends after w starts is the only one that can overlap it.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid]!.to <= w.from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < kept.length && kept[lo]!.from < w.to) continue;
    kept.splice(lo, 0, w);
  }
  return kept;
}
