import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Share of the reference's variance the kept components must explain, as NannyML's default. */
export const EXPLAINED_VARIANCE = 0.65;

/** What ClickHouse sums over the standardized reference rows: n, Σz and Σzzᵀ (row-major). */
export interface Moments {
  n: number;
  sum: number[];
  /** d × d, row-major. */
  products: number[];
}

export interface PcaBasis {
  /** The standardized data's mean (≈ 0: the scaler centred it; kept for fidelity to sklearn). */
  mean: number[];
  /** k orthonormal components, each of length d, by decreasing variance. */
  components: number[][];
  /** Variance share of every component (all d), by decreasing variance. */
  explained_variance_ratio: number[];
}

/**
 * sklearn's PCA(n_components=share) from the covariance: the eigenvectors of the covariance by
 * decreasing eigenvalue, keeping the fewest whose cumulated variance share exceeds `share`
 * (np.searchsorted(cumsum, share, side='right') + 1). sklearn ≥ 1.5 solves the same
 * eigenproblem ('covariance_eigh') when rows far outnumber features; the eigenvectors' signs may
 * differ from sklearn's, which changes no reconstruction.
 */
export function fitPca(moments: Moments, share = EXPLAINED_VARIANCE): PcaBasis {
  const { n, sum } = moments;
  const d = sum.length;
  const mean = sum.map((s) => s / n);
  const covariance = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const centred = moments.products[i * d + j]! - n * mean[i]! * mean[j]!;
      covariance.set(i, j, centred / Math.max(1, n - 1));
    }
  }
  const eigen = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
  // Round-off can leave the smallest eigenvalues a hair below zero; they carry no variance.
  const values = eigen.realEigenvalues.map((v) => Math.max(0, v));
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const total = values.reduce((a, b) => a + b, 0);
  const ratio = order.map((i) => (total > 0 ? values[i]! / total : 0));
  const keep = componentsFor(ratio, share);
  const vectors = eigen.eigenvectorMatrix;
  const components = order.slice(0, keep).map((i) => vectors.getColumn(i));
  return { mean, components, explained_variance_ratio: ratio };
}

/** How many leading components explain more than `share` of the variance (at least one). */
export function componentsFor(ratio: number[], share: number): number {
  let cumulated = 0;
  for (let k = 0; k < ratio.length; k++) {
    cumulated += ratio[k]!;
    if (cumulated > share) return k + 1;
  }
  return Math.max(1, ratio.length);
}
