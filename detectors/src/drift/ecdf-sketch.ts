// KS and Wasserstein-1 from bucketed counts instead of sorted values. Both sides are counted into
// the same buckets (the reference's fine quantiles, see reference/buckets-sql.ts), so at every
// bucket boundary both empirical CDFs are known exactly, and the KS statistic, read off there, is
// off by at most the mass of one bucket (~1/FINE_QUANTILES of the reference). Inside a bucket each
// side's values are taken to sit at their mean: a step model that keeps each CDF's integral over
// the bucket exact (from the bucket's count and sum), so the Wasserstein distance is exact in every
// bucket where the two CDFs do not cross — the open buckets below and above the reference's range,
// where a shifted window's tail lands, included — and exact for discrete values (one value per
// bucket). Only buckets where the CDFs cross are approximated. The cost does not grow with the
// number of distinct values.

/** One side's values of one feature, counted per bucket (index 0 lies below the grid). */
export interface Buckets {
  counts: number[];
  /** Sum of the values in each bucket. */
  sum: number[];
}

export function emptyBuckets(size: number): Buckets {
  return { counts: new Array<number>(size).fill(0), sum: new Array<number>(size).fill(0) };
}

/** Adds `part` into `into` (same grid). */
export function addBuckets(into: Buckets, part: Buckets): Buckets {
  for (let i = 0; i < into.counts.length; i++) {
    into.counts[i]! += part.counts[i]!;
    into.sum[i]! += part.sum[i]!;
  }
  return into;
}

export interface SketchDistances {
  ks: number;
  wasserstein: number;
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
  return { ks, wasserstein };
}
