/** Equal-width bins over [lo, hi) for a numeric feature's histogram, with their labels. */
export interface NumericBins {
  lo: number;
  width: number;
  count: number;
  /** The label under bin i: its lower edge, or for integer bins the values it holds. */
  label(i: number): string;
}

/**
 * `max` bins over [lo, hi]. An integer feature (every value whole) gets whole-number bins: one
 * per value when they fit ("3"), else runs of equal length ("0–4"), never edges like 0.67.
 */
export function numericBins(lo: number, hi: number, integer: boolean, max: number): NumericBins {
  if (integer) {
    const first = Math.floor(lo);
    const values = Math.floor(hi) - first + 1;
    const width = Math.ceil(values / max);
    const count = Math.ceil(values / width);
    return {
      lo: first,
      width,
      count,
      label: (i) => {
        const from = first + i * width;
        return width === 1 ? String(from) : `${from}–${from + width - 1}`;
      },
    };
  }
  const top = hi > lo ? hi : lo + 1;
  const width = (top - lo) / max;
  return { lo, width, count: max, label: (i) => formatEdge(lo + i * width) };
}

function formatEdge(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 1) return x.toFixed(1);
  return x.toPrecision(2);
}
