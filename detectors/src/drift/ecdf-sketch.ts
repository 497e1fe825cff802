// KS and Wasserstein-1 from bucketed counts instead of sorted values. Both sides are counted into
// the same buckets (the reference's fine quantiles, see reference/buckets-sql.ts), so at every
// bucket boundary both empirical CDFs are known exactly; inside a bucket each side's CDF is taken to
// rise linearly from the smallest to the largest value it holds there (a jump when they are equal,
// as for discrete values). The KS statistic is then off by at most the mass of one bucket
// (~1/FINE_QUANTILES of the reference). For Wasserstein, each bucket's sum of values gives the
// integral of each CDF over the bucket exactly — also over the open buckets below and above the
// reference's range, where a shifted window's tail lands — so a bucket in which one CDF stays above
// the other adds exactly what it should; only buckets where the two cross fall back to the linear
// model. Both errors are far below what any drift threshold separates, at a cost that does not grow
// with the number of distinct values.

/** One side's values of one feature, counted per bucket (index 0 lies below the grid). */
export interface Buckets {
  counts: number[];
  /** Sum of the values in each bucket. */
  sum: number[];
  /** Smallest and largest value in each bucket; meaningless where the count is 0. */
  min: number[];
  max: number[];
}

export function emptyBuckets(size: number): Buckets {
  return {
    counts: new Array<number>(size).fill(0),
    sum: new Array<number>(size).fill(0),
    min: new Array<number>(size).fill(Infinity),
    max: new Array<number>(size).fill(-Infinity),
  };
}

/** Adds `part` into `into` (same grid). */
export function addBuckets(into: Buckets, part: Buckets): Buckets {
  for (let i = 0; i < into.counts.length; i++) {
    into.counts[i]! += part.counts[i]!;
    into.sum[i]! += part.sum[i]!;
    into.min[i] = Math.min(into.min[i]!, part.min[i]!);
    into.max[i] = Math.max(into.max[i]!, part.max[i]!);
  }
  return into;
}

export interface SketchDistances {
  ks: number;
  wasserstein: number;
}

/** One side's modelled CDF inside one bucket. */
interface Side {
  /** Share of the side's values below the bucket. */
  before: number;
  /** Share inside the bucket. */
  share: number;
  lo: number;
  hi: number;
  /** The side's values in the bucket: how many, and their sum. */
  count: number;
  sum: number;
  /** The side's total count. */
  n: number;
}

/**
 * ∫ F over the bucket [start, end) exactly, from its values' count and sum: below the bucket F is
 * `before`, and each value v in it adds (end - v) / n. The open buckets integrate what is finite:
 * F from -∞ below the grid (before = 0), and 1 - F up to +∞ above it (negated, so that the
 * difference of two sides' results is ∫ (Fr - Fc) in every case).
 */
function integral(s: Side, start: number, end: number): number {
  if (end === Infinity) return -(s.sum - s.count * start) / s.n;
  const below = start === -Infinity ? 0 : s.before * (end - start);
  return below + (s.count * end - s.sum) / s.n;
}

function side(b: Buckets, i: number, before: number, n: number): Side {
  const count = b.counts[i]!;
  return {
    before: before / n,
    share: count / n,
    lo: b.min[i]!,
    hi: b.max[i]!,
    count,
    sum: b.sum[i]!,
    n,
  };
}

/** The CDF just right of x (x included) and just left of x. */
function cdf(s: Side, x: number, left: boolean): number {
  if (s.share === 0 || x < s.lo) return s.before;
  if (x > s.hi || (x === s.hi && !left)) return s.before + s.share;
  if (s.hi === s.lo) return left ? s.before : s.before + s.share;
  return s.before + (s.share * (x - s.lo)) / (s.hi - s.lo);
}

/** ∫ |a + (b - a)t/w| over a segment of width w where a linear difference goes from a to b. */
function areaOfAbs(a: number, b: number, w: number): number {
  if (a * b >= 0) return ((Math.abs(a) + Math.abs(b)) / 2) * w;
  return ((a * a + b * b) / (2 * (Math.abs(a) + Math.abs(b)))) * w;
}

/**
 * KS statistic and Wasserstein-1 distance between two sides counted into the buckets of `grid`
 * (sorted, distinct boundaries: bucket 0 is below grid[0], bucket i holds grid[i-1] <= x < grid[i]).
 */
export function sketchDistances(grid: number[], ref: Buckets, cur: Buckets): SketchDistances {
  const nr = ref.counts.reduce((a, b) => a + b, 0);
  const nc = cur.counts.reduce((a, b) => a + b, 0);
  if (nr === 0 || nc === 0) return { ks: NaN, wasserstein: NaN };
  let ks = 0;
  let wasserstein = 0;
  let beforeR = 0;
  let beforeC = 0;
  for (let b = 0; b < ref.counts.length; b++) {
    const r = side(ref, b, beforeR, nr);
    const c = side(cur, b, beforeC, nc);
    beforeR += ref.counts[b]!;
    beforeC += cur.counts[b]!;
    const start = b === 0 ? -Infinity : grid[b - 1]!;
    const end = b === grid.length ? Infinity : grid[b]!;
    const points = [start, end];
    for (const s of [r, c]) if (s.share > 0) points.push(s.lo, s.hi);
    const xs = [...new Set(points.filter(Number.isFinite))].sort((x, y) => x - y);
    let modelled = 0;
    let crosses = false;
    let sign = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const atLeft = cdf(r, x, true) - cdf(c, x, true);
      const atRight = cdf(r, x, false) - cdf(c, x, false);
      ks = Math.max(ks, Math.abs(atLeft), Math.abs(atRight));
      // Inside [start, end): not left of start, not from end on.
      const inside = [x === start ? undefined : atLeft, x === end ? undefined : atRight];
      for (const d of inside) {
        if (!d) continue;
        if (sign !== 0 && Math.sign(d) !== sign) crosses = true;
        sign = Math.sign(d);
      }
      const next = xs[i + 1];
      if (next === undefined || next <= x) continue;
      const towardNext = cdf(r, next, true) - cdf(c, next, true);
      modelled += areaOfAbs(atRight, towardNext, next - x);
    }
    wasserstein += crosses ? modelled : Math.abs(integral(r, start, end) - integral(c, start, end));
  }
  return { ks, wasserstein };
}
