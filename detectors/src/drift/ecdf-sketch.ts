// KS and Wasserstein-1 from bucketed counts instead of sorted values. Both sides are counted into
// the same buckets (the reference's fine quantiles, point masses in buckets of their own, see
// reference/buckets-sql.ts and reference/point-masses.ts), so at every bucket boundary both
// empirical CDFs are known exactly, and the KS statistic, read off there, is off by at most the
// largest share one side has in one bucket. Inside a bucket each side's values are taken to sit at
// their mean: a step model that keeps each CDF's integral over the bucket exact (from the bucket's
// count and sum), so the Wasserstein distance is exact in every bucket where the two CDFs cannot
// cross, and off by at most `wassersteinBound` in all (crossingError below). The cost does not
// grow with the number of distinct values.

/** One side's values of one feature, counted per bucket (index 0 lies below the grid). */
export interface Buckets {
  counts: number[];
  /** Sum of the values in each bucket. */
  sum: number[];
  /** Smallest and largest value in each bucket (read only where its count is not 0). */
  lo: number[];
  hi: number[];
}

export function emptyBuckets(size: number): Buckets {
  const filled = () => new Array<number>(size).fill(0);
  return { counts: filled(), sum: filled(), lo: filled(), hi: filled() };
}

/** Adds `part` into `into` (same grid). */
export function addBuckets(into: Buckets, part: Buckets): Buckets {
  for (let i = 0; i < into.counts.length; i++) {
    if (part.counts[i]! === 0) continue;
    const first = into.counts[i]! === 0;
    into.lo[i] = first ? part.lo[i]! : Math.min(into.lo[i]!, part.lo[i]!);
    into.hi[i] = first ? part.hi[i]! : Math.max(into.hi[i]!, part.hi[i]!);
    into.counts[i]! += part.counts[i]!;
    into.sum[i]! += part.sum[i]!;
  }
  return into;
}

export interface SketchDistances {
  ks: number;
  wasserstein: number;
  /**
   * How far `wasserstein` may lie from the exact distance: the buckets where the two CDFs may
   * cross, each at most (its values' range) × (the largest |Fr - Fc| it allows).
   */
  wassersteinBound: number;
}

/**
 * KS statistic and Wasserstein-1 distance between two sides counted into the buckets of `grid`
 * (sorted, distinct boundaries: bucket 0 is below grid[0], bucket i holds grid[i-1] <= x < grid[i]).
 */
export function sketchDistances(grid: number[], ref: Buckets, cur: Buckets): SketchDistances {
  const nr = ref.counts.reduce((a, b) => a + b, 0);
  const nc = cur.counts.reduce((a, b) => a + b, 0);
  if (nr === 0 || nc === 0) return { ks: NaN, wasserstein: NaN, wassersteinBound: NaN };
  let ks = 0;
  let wasserstein = 0;
  let wassersteinBound = 0;
  let belowR = 0;
  let belowC = 0;
  for (let b = 0; b < ref.counts.length; b++) {
    const start = b === 0 ? -Infinity : grid[b - 1]!;
    const end = b === grid.length ? Infinity : grid[b]!;
    // The difference Fr - Fc just below the bucket, and just below its end: both exact.
    let diff = belowR / nr - belowC / nc;
    belowR += ref.counts[b]!;
    belowC += cur.counts[b]!;
    const after = belowR / nr - belowC / nc;
    ks = Math.max(ks, Math.abs(diff), Math.abs(after));
    const pr = ref.counts[b]! / nr;
    const pc = cur.counts[b]! / nc;
    wassersteinBound += crossingError(b, diff, pr, pc, ref, cur);
    // Each side's step, at the mean of its values here, in order of position.
    const steps: [at: number, by: number][] = [];
    if (ref.counts[b]! > 0) steps.push([ref.sum[b]! / ref.counts[b]!, ref.counts[b]! / nr]);
    if (cur.counts[b]! > 0) steps.push([cur.sum[b]! / cur.counts[b]!, -cur.counts[b]! / nc]);
    steps.sort((x, y) => x[0] - y[0]);
    let x = start;
    for (const [at, by] of steps) {
      if (diff !== 0) wasserstein += Math.abs(diff) * (Math.min(Math.max(at, start), end) - x);
      x = Math.min(Math.max(at, start), end);
      diff += by;
    }
    // Below the lowest bucket's first value both CDFs are 0, above the highest's last both are 1.
    if (x !== -Infinity && end !== Infinity) wasserstein += Math.abs(after) * (end - x);
  }
  return { ks, wasserstein, wassersteinBound };
}

/**
 * How far the step model's ∫|Fr - Fc| over bucket b may lie from the true one. Over the span
 * [lo, hi] of the bucket's values Fr - Fc starts at `diff` and stays within [diff - pc, diff + pr]
 * (pr, pc: the sides' shares here). Without a sign change in that range the model is exact (it
 * keeps both sides' integrals over the bucket, so the signed integral I). Otherwise both the model
 * and the truth have ∫|f| between |I| and min(I + 2·w·max(0, pc - diff), 2·w·max(0, diff + pr) - I)
 * (∫|f| = I + 2∫f⁻ = 2∫f⁺ - I, each part at most its largest magnitude times the width w).
 */
function crossingError(
  b: number,
  diff: number,
  pr: number,
  pc: number,
  ref: Buckets,
  cur: Buckets,
): number {
  if (!(diff - pc < 0 && diff + pr > 0)) return 0;
  const sides = [ref, cur].filter((side) => side.counts[b]! > 0);
  const lo = Math.min(...sides.map((side) => side.lo[b]!));
  const hi = Math.max(...sides.map((side) => side.hi[b]!));
  const w = hi - lo;
  // The model's signed integral over [lo, hi]: each side steps at the mean of its values here.
  const steps: [at: number, by: number][] = [];
  if (pr > 0) steps.push([ref.sum[b]! / ref.counts[b]!, pr]);
  if (pc > 0) steps.push([cur.sum[b]! / cur.counts[b]!, -pc]);
  steps.sort((x, y) => x[0] - y[0]);
  let signed = 0;
  let x = lo;
  let f = diff;
  for (const [at, by] of steps) {
    signed += f * (at - x);
    x = at;
    f += by;
  }
  signed += f * (hi - x);
  const most = Math.min(signed + 2 * w * (pc - diff), 2 * w * (diff + pr) - signed);
  return Math.max(0, most - Math.abs(signed));
}
