/**
 * At most this many bins: numpy's rule gives a heavy tail thousands of them (its range over a
 * bin width set by the interquartile range), and every bin edge is a boundary of the fine grid.
 */
export const MAX_AUTO_BINS = 1_000;

/**
 * The inner edges of numpy's `histogram_bin_edges(x, bins='auto')`, the bins NannyML computes
 * its binned drift distances on: equal widths from min to max, the width the smaller of
 * Freedman–Diaconis' (2·IQR·n^(-1/3)) and Sturges' (range / (log2 n + 1)), Sturges' where the
 * IQR is 0. Without the outer edges, the first and last bins also hold what lies beyond.
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
  const sturges = range / (Math.log2(n) + 1);
  const fd = 2 * (q75 - q25) * n ** (-1 / 3);
  const width = fd > 0 ? Math.min(fd, sturges) : sturges;
  const bins = Math.min(MAX_AUTO_BINS, Math.ceil(range / width));
  // numpy's linspace: start + i·step, the last edge exactly max.
  const step = range / bins;
  return Array.from({ length: bins - 1 }, (_, i) => min + (i + 1) * step);
}
