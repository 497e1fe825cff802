/** Evidently's ratio method: a component drifts at normed Wasserstein ≥ 0.1... */
export const COMPONENT_THRESHOLD = 0.1;
/** ...and the embedding when more than 20% of its components drift. */
export const SHARE_THRESHOLD = 0.2;
/** Evidently's floor on the reference's standard deviation in the norm. */
const MIN_STD = 0.001;

/**
 * One component's values binned on the reference's [lo, hi] in equal-width bins; window values
 * outside it are kept apart with their summed distance to the edge.
 */
export interface ComponentHistogram {
  counts: ArrayLike<number>;
  below?: { count: number; excess: number };
  above?: { count: number; excess: number };
}

/**
 * First Wasserstein distance between the reference's and a window's values of one component,
 * ∫|F_ref − F_win|, from their histograms on the reference's range: within a bin both CDFs are
 * taken as linear (mass spread evenly), so the error is a small part of a bin width (1/1000 of
 * the range); outside the range the reference's CDF is 0 or 1 and the integral is exact — the
 * window's summed distance beyond the edge, over its rows.
 */
export function wasserstein1(
  lo: number,
  hi: number,
  reference: ComponentHistogram,
  window: ComponentHistogram,
): number {
  const bins = reference.counts.length;
  const m = sum(reference.counts);
  const below = window.below ?? { count: 0, excess: 0 };
  const above = window.above ?? { count: 0, excess: 0 };
  const n = sum(window.counts) + below.count + above.count;
  let distance = (below.excess + above.excess) / n;
  const width = (hi - lo) / bins;
  if (width === 0) return distance;
  let fr = 0;
  let fw = below.count / n;
  for (let b = 0; b < bins; b++) {
    const d0 = fw - fr;
    fr += reference.counts[b]! / m;
    fw += window.counts[b]! / n;
    distance += width * linearAbsIntegral(d0, fw - fr);
  }
  return distance;
}

/** ∫₀¹ |d0 + (d1 − d0)s| ds. */
function linearAbsIntegral(d0: number, d1: number): number {
  if (d0 * d1 >= 0) return (Math.abs(d0) + Math.abs(d1)) / 2;
  return (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** Evidently's normed Wasserstein: the distance over the reference's std (population), ≥ 0.001. */
export function normedWasserstein(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, MIN_STD);
}

export interface ComponentShare {
  share: number;
  drifted: number;
  components: number;
}

/** Evidently's RatioDriftMethod on per-component normed distances. */
export function driftedShare(normed: readonly number[]): ComponentShare {
  const drifted = normed.filter((w) => w >= COMPONENT_THRESHOLD).length;
  return { share: drifted / normed.length, drifted, components: normed.length };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
