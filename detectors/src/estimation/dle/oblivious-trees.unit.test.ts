import { describe, expect, it } from 'vitest';
import { mulberry32 as random } from '../../random';
import { binColumn, cutPoints, fitEnsemble, predictRow, DEFAULT_BOOSTING } from './oblivious-trees';

function dataset(n: number, f: (x: number[]) => number, seed = 1) {
  const next = random(seed);
  const x = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = [next(), next(), Math.floor(next() * 4)];
    row.forEach((v, j) => (x[j]![i] = v));
    y[i] = f(row);
  }
  return { x, y };
}

const rowOf = (x: Float64Array[], i: number) => x.map((c) => c[i]!);

describe('cutPoints', () => {
  it('puts a cut midway between each pair of neighbouring distinct values when they are few', () => {
    expect(cutPoints(Float64Array.from([1, 1, 2, 4, 4, 4]), 255)).toEqual([1.5, 3]);
  });

  it('keeps at most maxBins - 1 increasing cuts when values are many', () => {
    const sorted = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const cuts = cutPoints(sorted, 16);
    expect(cuts).toHaveLength(15);
    expect(cuts[0]).toBe(624.5);
    expect(cuts.every((c, i) => i === 0 || c > cuts[i - 1]!)).toBe(true);
  });
});

describe('binColumn', () => {
  it('puts NaN in bin 0 and each value above b − 1 cuts in bin b', () => {
    const { bins, cuts } = binColumn(Float64Array.from([3, NaN, 1, 2, 3]), 255);
    expect(cuts).toEqual([1.5, 2.5]);
    expect([...bins]).toEqual([3, 0, 1, 2, 3]);
  });
});

describe('fitEnsemble', () => {
  const target = (r: number[]) => 10 * Number(r[0]! > 0.3) + 5 * r[1]! ** 2 + r[2]!;

  it('learns a step, a curve and a few-valued feature to within a few percent of their spread', () => {
    const { x, y } = dataset(5_000, target);
    const model = fitEnsemble(x, y);
    const test = dataset(2_000, target, 2);
    let squared = 0;
    for (let i = 0; i < 2_000; i++)
      squared += (predictRow(model, rowOf(test.x, i)) - test.y[i]!) ** 2;
    // y spans about 0..18 with a standard deviation of about 5.
    expect(Math.sqrt(squared / 2_000)).toBeLessThan(0.3);
  });

  it('is deterministic and starts from the mean', () => {
    const { x, y } = dataset(1_000, target);
    const a = fitEnsemble(x, y, { ...DEFAULT_BOOSTING, trees: 5 });
    const b = fitEnsemble(x, y, { ...DEFAULT_BOOSTING, trees: 5 });
    expect(a).toEqual(b);
    expect(a.base).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 12);
    expect(a.trees).toHaveLength(5);
    expect(a.trees[0]!.leaves).toHaveLength(2 ** a.trees[0]!.features.length);
  });

  it('sends missing values left, and learns from it when missingness matters', () => {
    const n = 2_000;
    const column = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? NaN : i % 7));
    const y = Float64Array.from(column, (v) => (Number.isNaN(v) ? 100 : v));
    const model = fitEnsemble([column], y);
    expect(predictRow(model, [NaN])).toBeCloseTo(100, 0);
    expect(predictRow(model, [3])).toBeCloseTo(3, 0);
    expect(model.trees[0]!.cuts).toContain(-Infinity);
  });

  it('fits a constant target with no splits at all', () => {
    const model = fitEnsemble([Float64Array.from([1, 2, 3, 4])], Float64Array.from([7, 7, 7, 7]));
    expect(model.base).toBe(7);
    expect(model.trees.every((t) => t.features.length === 0 && t.leaves[0] === 0)).toBe(true);
    expect(predictRow(model, [2.5])).toBe(7);
  });
});
