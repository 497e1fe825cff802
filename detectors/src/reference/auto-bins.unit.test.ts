import { describe, expect, it } from 'vitest';
import { autoBinCount } from './auto-bins';

describe('autoBinCount (numpy 2.4 bins="auto")', () => {
  /** numpy's linear percentile of sorted `x`. */
  const percentile = (x: number[], p: number) => {
    const v = x.length * p + (1 - p) - 1;
    const lo = Math.floor(v);
    return x[lo]! + (x[Math.min(lo + 1, x.length - 1)]! - x[lo]!) * (v - lo);
  };
  const bins = (x: number[], cap = 1000) =>
    autoBinCount(x.length, x.at(-1)! - x[0]!, percentile(x, 0.75) - percentile(x, 0.25), cap);
  const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

  // Bin counts of numpy.histogram_bin_edges(x, 'auto') (numpy 2.4.6) for the same x.
  it('takes Sturges where Freedman–Diaconis is wider: i² / 1000, 1000 values → 11', () => {
    expect(bins(range(1000, (i) => (i * i) / 1000))).toBe(11);
  });
  it('takes Freedman–Diaconis where it is narrower: (i / 1000 − ½)³ · 1000 → 40', () => {
    expect(bins(range(1000, (i) => (i / 1000 - 0.5) ** 3 * 1000))).toBe(40);
  });
  it('takes half the square-root width where the IQR is 0: 1023 zeros and a 10 → 64', () => {
    expect(bins([...range(1023, () => 0), 10])).toBe(64);
  });
  it('caps', () => {
    expect(bins([...range(1023, () => 0), 10], 20)).toBe(20);
  });
});
