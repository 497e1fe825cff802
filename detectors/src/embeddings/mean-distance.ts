import {
  columnMeans,
  cosineDistance,
  drawIndices,
  euclidean,
  quantile,
  type Vectors,
} from './vectors';

/** Evidently's N_BOOTSTRAP and quantile_probability for the distance method. */
export const BOOTSTRAP_REPLICATES = 100;
export const BOOTSTRAP_QUANTILE = 0.95;
/** Most rows drawn per bootstrap replicate (both halves); larger sizes are scaled (see below). */
export const BOOTSTRAP_ROWS = 4_000;

export interface DistanceThresholds {
  euclidean: number;
  cosine: number;
  /** Rows drawn per replicate for the reference half and the window half (Evidently's sizes). */
  sizes: [number, number];
}

/**
 * Thresholds for the distance between the reference's and a window's mean, as Evidently's
 * DistanceDriftMethod(bootstrap=True) draws them: 100 pairs of resamples of the reference, of
 * m²/(m+n) and mn/(m+n) rows, and the 95th percentile of the distances between their means.
 *
 * Resamples are drawn from `sample` (the whole reference when it is small). Sizes beyond
 * BOOTSTRAP_ROWS are drawn at a fraction c of their size and each resample mean's deviation from
 * the sample mean is scaled by √c: a mean of k rows deviates by Σ/k, so this is the deviation of
 * the full size (central limit), and it serves any distance, cosine included. With c = 1 and the
 * whole reference as the sample it is Evidently's procedure.
 */
export function meanDistanceThresholds(
  sample: Vectors,
  referenceMean: ArrayLike<number>,
  referenceRows: number,
  windowRows: number,
  random: () => number,
): DistanceThresholds {
  const m = referenceRows;
  const n = windowRows;
  const sizes: [number, number] = [
    Math.max(1, Math.floor((m * m) / (m + n))),
    Math.max(1, Math.floor((n * m) / (m + n))),
  ];
  const c = Math.min(1, BOOTSTRAP_ROWS / (sizes[0] + sizes[1]));
  const drawn = sizes.map((s) => Math.max(1, Math.round(s * c)));
  const scale = sizes.map((s, i) => Math.sqrt(drawn[i]! / s));
  const center = columnMeans(sample);
  const euclid: number[] = [];
  const cosine: number[] = [];
  const shifted = (mean: Float64Array, k: number) =>
    mean.map((v, j) => referenceMean[j]! + (v - center[j]!) * scale[k]!);
  for (let r = 0; r < BOOTSTRAP_REPLICATES; r++) {
    const a = shifted(columnMeans(sample, drawIndices(random, sample.count, drawn[0]!)), 0);
    const b = shifted(columnMeans(sample, drawIndices(random, sample.count, drawn[1]!)), 1);
    euclid.push(euclidean(a, b));
    cosine.push(cosineDistance(a, b));
  }
  return {
    euclidean: quantile(euclid, BOOTSTRAP_QUANTILE),
    cosine: quantile(cosine, BOOTSTRAP_QUANTILE),
    sizes,
  };
}
