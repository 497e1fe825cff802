import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../random';
import { gridOf } from '../reference/buckets-sql';
import { emptyBuckets, sketchDistances, type Buckets } from './ecdf-sketch';

function normals(n: number, mean: number, sd: number, seed: number): number[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return mean + sd * r * Math.cos(2 * Math.PI * u());
  });
}

/** numpy's default ("linear") quantiles. */
function quantiles(values: number[], levels: number): number[] {
  const s = [...values].sort((a, b) => a - b);
  return Array.from({ length: levels + 1 }, (_, i) => {
    const h = ((s.length - 1) * i) / levels;
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
  });
}

/** What ClickHouse's bucket pass does: bucket = how many boundaries are <= x. */
function bucketize(values: number[], grid: number[]): Buckets {
  const b = emptyBuckets(grid.length + 1);
  for (const x of values) {
    let lo = 0;
    let hi = grid.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (grid[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    if (b.counts[lo] === 0) b.lo[lo] = b.hi[lo] = x;
    b.lo[lo] = Math.min(b.lo[lo]!, x);
    b.hi[lo] = Math.max(b.hi[lo]!, x);
    b.counts[lo]! += 1;
    b.sum[lo]! += x;
  }
  return b;
}

/** Exact two-sample KS statistic and Wasserstein-1 distance (scipy's definitions). */
function exact(a: number[], b: number[]): { ks: number; wasserstein: number } {
  const xs = [...a.map((x) => [x, 0] as const), ...b.map((x) => [x, 1] as const)].sort(
    (p, q) => p[0] - q[0],
  );
  let ca = 0;
  let cb = 0;
  let ks = 0;
  let w = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]![1] === 0) ca++;
    else cb++;
    const next = xs[i + 1];
    if (next && next[0] === xs[i]![0]) continue;
    const gap = Math.abs(ca / a.length - cb / b.length);
    ks = Math.max(ks, gap);
    if (next) w += gap * (next[0] - xs[i]![0]);
  }
  return { ks, wasserstein: w };
}

function compare(reference: number[], current: number[]) {
  const grid = gridOf(quantiles(reference, 1000));
  const ref = bucketize(reference, grid);
  const cur = bucketize(current, grid);
  const heaviest = Math.max(
    ...ref.counts.map((n) => n / reference.length),
    ...cur.counts.map((n) => n / current.length),
  );
  return { sketch: sketchDistances(grid, ref, cur), exact: exact(reference, current), heaviest };
}

describe('KS and Wasserstein from fine reference buckets', () => {
  it('match the exact values on continuous data, shifted and not', () => {
    for (const [mean, sd, seed] of [
      [0, 1, 1],
      [0.3, 1, 2],
      [0.05, 1.5, 3],
      [-2, 0.2, 4],
    ] as const) {
      const {
        sketch,
        exact: e,
        heaviest,
      } = compare(normals(40_000, 0, 1, 100 + seed), normals(30_000, mean, sd, seed));
      // At every bucket boundary both ECDFs are exact, so KS is off by at most one bucket's mass.
      expect(Math.abs(sketch.ks - e.ks), `ks ${mean},${sd}`).toBeLessThanOrEqual(heaviest);
      expect(Math.abs(sketch.wasserstein - e.wasserstein), `w ${mean},${sd}`).toBeLessThan(
        0.001 + 0.001 * e.wasserstein,
      );
    }
  });

  it('are exact where every bucket holds one distinct value (discrete features)', () => {
    const u = rng(7);
    const reference = Array.from({ length: 20_000 }, () => Math.floor(u() * 8));
    const current = Array.from({ length: 15_000 }, () => Math.floor(u() * u() * 10));
    const { sketch, exact: e } = compare(reference, current);
    expect(sketch.ks).toBeCloseTo(e.ks, 12);
    expect(sketch.wasserstein).toBeCloseTo(e.wasserstein, 12);
  });

  it('count values outside the reference range (below bucket 0 and above the last boundary)', () => {
    const reference = normals(10_000, 0, 1, 11);
    const current = normals(10_000, 0, 1, 12).map((x) => x * 4);
    const { sketch, exact: e, heaviest } = compare(reference, current);
    expect(Math.abs(sketch.ks - e.ks)).toBeLessThanOrEqual(heaviest);
    expect(Math.abs(sketch.wasserstein - e.wasserstein)).toBeLessThan(0.001 * e.wasserstein);
  });

  it('stay within their stated Wasserstein error bound, heavy tails and crossings included', () => {
    const pareto = (n: number, alpha: number, seed: number) => {
      const u = rng(seed);
      return Array.from({ length: n }, () => (1 - u()) ** (-1 / alpha));
    };
    const reference = pareto(50_000, 2.5, 21);
    for (const [alpha, scale, cap, seed] of [
      [2.5, 1.078, 20, 22],
      [2.5, 1.06, 12, 23],
      [1.5, 1, Infinity, 24],
      [2.1, 0.95, Infinity, 25],
      [3, 1.2, 8, 26],
    ] as const) {
      const current = pareto(40_000, alpha, seed).map((x) => Math.min(x * scale, cap));
      const { sketch, exact: e } = compare(reference, current);
      const error = Math.abs(sketch.wasserstein - e.wasserstein);
      expect(error, `${alpha} ${scale} ${cap}`).toBeLessThanOrEqual(
        sketch.wassersteinBound + 1e-12,
      );
    }
  });
});
