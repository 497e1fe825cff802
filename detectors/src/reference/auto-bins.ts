/**
 * At most this many bins: numpy's rule gives a heavy tail thousands of them (its range over a
 * bin width set by the interquartile range), and every bin edge is a boundary of the fine grid.
 */
export const MAX_AUTO_BINS = 1_000;

/**
 * numpy's 'auto' bin count (numpy ≥ 2.1, the one NannyML 0.13 runs on) for `n` values spanning
 * `range`: the width is Freedman–Diaconis' (2·IQR·n^(-1/3)), at least half the square-root rule's
 * (range / √n), at most Sturges' (range / (log2 n + 1)); then at most `cap` bins.
 */
export function autoBinCount(n: number, range: number, iqr: number, cap: number): number {
  if (!(range > 0) || n < 1) return 1;
  const sturges = range / (Math.log2(n) + 1);
  const fd = 2 * iqr * n ** (-1 / 3);
  const sqrt = range / Math.sqrt(n);
  const width = Math.min(Math.max(fd, sqrt / 2), sturges);
  return Math.max(1, Math.min(cap, Math.ceil(range / width)));
}

/**
 * The inner edges of numpy's `histogram_bin_edges(x, bins='auto')`, the bins NannyML computes
 * its binned drift distances on: equal widths from min to max (autoBinCount of them, at most
 * MAX_AUTO_BINS). Without the outer edges, the first and last bins also hold what lies beyond.
 */
export function autoBinEdges(
  n: number,
  min: number,
  max: number,
  q25: number,
  q75: number,
): number[] {
  const range = max - min;
  if (!(range > 0) || n < 1) return [];
  const bins = autoBinCount(n, range, q75 - q25, MAX_AUTO_BINS);
  // numpy's linspace: start + i·step, the last edge exactly max.
  const step = range / bins;
  return Array.from({ length: bins - 1 }, (_, i) => min + (i + 1) * step);
}
