import { describe, expect, it } from 'vitest';
import { referenceChunks, referenceThresholds } from './fit';
import { componentsFor, fitPca } from './pca';
import { frequencyEncoding } from './preprocess';
import { breaches, resolveBounds, STANDARD_DEVIATION_3 } from './thresholds';

/** n, Σz and Σzzᵀ of some rows, as ClickHouse returns them. */
function moments(rows: number[][]) {
  const d = rows[0]!.length;
  const sum = new Array<number>(d).fill(0);
  const products = new Array<number>(d * d).fill(0);
  for (const z of rows) {
    for (let i = 0; i < d; i++) {
      sum[i]! += z[i]!;
      for (let j = 0; j < d; j++) products[i * d + j]! += z[i]! * z[j]!;
    }
  }
  return { n: rows.length, sum, products };
}

describe('PCA from the covariance', () => {
  it('finds the direction of the most variance and orders components by it', () => {
    // Points along (1, 1) with a little spread across it.
    const rows = [-2, -1, 0, 1, 2].flatMap((t) => [
      [t + 0.1, t - 0.1],
      [t - 0.1, t + 0.1],
    ]);
    const pca = fitPca(moments(rows), 0.65);
    expect(pca.components).toHaveLength(1);
    const [w] = pca.components as [number[]];
    expect(Math.abs(w[0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(w[0]! * w[1]!).toBeGreaterThan(0);
    expect(pca.explained_variance_ratio[0]).toBeGreaterThan(0.99);
    expect(pca.explained_variance_ratio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('keeps the fewest components whose variance share exceeds the target, as sklearn', () => {
    expect(componentsFor([0.5, 0.15, 0.2, 0.15], 0.65)).toBe(3);
    expect(componentsFor([0.5, 0.16, 0.34], 0.65)).toBe(2);
    expect(componentsFor([0.4, 0.25, 0.35], 0.65)).toBe(3);
    expect(componentsFor([1], 0.65)).toBe(1);
  });
});

describe('frequency encoding', () => {
  it('imputes the most frequent value (ties: the smallest) and encodes shares of all rows', () => {
    const e = frequencyEncoding(
      'x',
      new Map([
        ['b', 3],
        ['a', 3],
        ['c', 2],
      ]),
      10,
    );
    expect(e.mode).toBe('a');
    expect(Object.fromEntries(e.values.map((v, i) => [v, e.frequencies[i]]))).toEqual({
      a: 0.5,
      b: 0.3,
      c: 0.2,
    });
    // The code's mean over the rows: Σ share × code.
    expect(e.mean).toBeCloseTo(0.25 + 0.09 + 0.04, 15);
  });

  it('keeps the most frequent categories up to a limit; the rest encode 0 like unseen ones', () => {
    const e = frequencyEncoding(
      'x',
      new Map([
        ['a', 5],
        ['b', 3],
        ['c', 2],
      ]),
      10,
      2,
    );
    expect(e.values).toEqual(['a', 'b']);
    expect(e.frequencies).toEqual([0.5, 0.3]);
    // The mean and scale are still those of every category's code.
    expect(e.mean).toBeCloseTo(0.25 + 0.09 + 0.04, 15);
  });

  it('leaves a constant column unscaled', () => {
    expect(frequencyEncoding('x', new Map([['only', 4]]), 4).scale).toBe(1);
  });
});

describe('thresholds', () => {
  it('are mean ∓ 3 population std, the lower one dropped at or below its limit', () => {
    const values = [1, 2, 3, 4];
    const std = Math.sqrt(1.25);
    expect(resolveBounds(STANDARD_DEVIATION_3, values)).toEqual({
      lower: 2.5 - 3 * std,
      upper: 2.5 + 3 * std,
    });
    expect(resolveBounds(STANDARD_DEVIATION_3, values, { lower: 0 }).lower).toBeNull();
    expect(resolveBounds(STANDARD_DEVIATION_3, [NaN])).toEqual({ lower: null, upper: null });
  });

  it('alert on values not strictly inside', () => {
    expect(breaches(1, { lower: 1, upper: 2 })).toBe(true);
    expect(breaches(1.5, { lower: 1, upper: 2 })).toBe(false);
    expect(breaches(5, { lower: null, upper: null })).toBe(false);
  });
});

describe('reference chunks for a window', () => {
  const blocks = { rows: new Array<number>(100).fill(10), sums: new Array<number>(100).fill(0) };
  blocks.sums = blocks.sums.map((_, i) => 10 * i);

  it('are whole blocks of about the window’s size', () => {
    const chunks = referenceChunks(blocks, 100);
    expect(chunks).toHaveLength(10);
    expect(chunks[0]).toBe(4.5);
  });

  it('take the left-over blocks into the last chunk', () => {
    const chunks = referenceChunks(blocks, 30);
    expect(chunks).toHaveLength(33);
    expect(chunks.at(-1)).toBe((96 + 97 + 98 + 99) / 4);
  });

  it('fall back to 10 chunks for a window larger than a fifth of the reference', () => {
    expect(referenceChunks(blocks, 300)).toHaveLength(10);
  });
});

describe('reference thresholds for a window', () => {
  // 100 blocks of 10 rows whose means alternate 1 ± 0.5: block-mean variance 0.25.
  const blocks = {
    rows: new Array<number>(100).fill(10),
    sums: Array.from({ length: 100 }, (_, i) => 10 * (i % 2 === 0 ? 0.5 : 1.5)),
  };
  const fit = { blocks, rows: 1000, error_variance: 1 };

  it('come from chunks of the window’s size when it spans a block or more', () => {
    const t = referenceThresholds(fit, 20);
    expect(t).toMatchObject({ chunks: 50, chunk_rows: 20 });
    expect(t.scaled_to_rows).toBeUndefined();
    // Chunks of two blocks all have mean 1: no spread at all.
    expect(t.bounds).toEqual({ lower: 1, upper: 1 });
  });

  it('rescale the sampling part of the spread for a window smaller than a block', () => {
    const t = referenceThresholds(fit, 2);
    expect(t.scaled_to_rows).toBe(2);
    // τ² = 0.25 − 1/10; the window's mean varies by τ² + 1/2.
    const std = Math.sqrt(0.25 - 0.1 + 0.5);
    expect(t.bounds.upper).toBeCloseTo(1 + 3 * std, 12);
    expect(t.bounds.lower).toBeNull();
    // Wider than the block-sized chunks' own bounds (1 ± 3 × 0.5).
    expect(t.bounds.upper!).toBeGreaterThan(2.5);
  });
});
