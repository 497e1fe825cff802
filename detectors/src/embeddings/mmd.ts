import { permutation, type Vectors } from './vectors';

/** Evidently's MMD threshold on MMD² without bootstrap. */
export const MMD_THRESHOLD = 0.015;
export const MMD_PERMUTATIONS = 100;
export const MMD_ALPHA = 0.05;

export interface MmdResult {
  /** Unbiased MMD², floored at 0 as Evidently reports it. */
  mmd2: number;
  /** The RBF kernel's γ = 1 / median(‖x − y‖)² over reference × window pairs. */
  gamma: number;
  /** Share of label permutations with an MMD² at least as large (add-one smoothed). */
  p_value: number;
}

/**
 * Maximum mean discrepancy between two samples with an RBF kernel, as Evidently's MMDDriftMethod
 * computes it (unbiased MMD², bandwidth from the median distance between reference and window
 * rows), plus a permutation p-value: the pooled rows' labels shuffled `permutations` times.
 */
export function mmd(
  reference: Vectors,
  window: Vectors,
  random: () => number,
  permutations = MMD_PERMUTATIONS,
): MmdResult {
  const m = reference.count;
  const n = window.count;
  const size = m + n;
  const d = reference.dim;
  const z = new Float64Array(size * d);
  z.set(reference.data.subarray(0, m * d));
  z.set(window.data.subarray(0, n * d), m * d);
  const norms = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += z[k]! * z[k]!;
    norms[i] = s;
  }
  // Squared distances, then the kernel in place (upper triangle used).
  const kernel = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    const a = i * d;
    for (let j = i + 1; j < size; j++) {
      const b = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += z[a + k]! * z[b + k]!;
      kernel[i * size + j] = Math.max(0, norms[i]! + norms[j]! - 2 * dot);
    }
  }
  const cross = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) cross[i * n + j] = Math.sqrt(kernel[i * size + m + j]!);
  const median = medianOf(cross);
  const gamma = 1 / (median * median);
  for (let i = 0; i < size; i++)
    for (let j = i + 1; j < size; j++)
      kernel[i * size + j] = Math.exp(-gamma * kernel[i * size + j]!);

  const group = new Uint8Array(size);
  group.fill(1, m);
  const observed = mmd2u(kernel, group, m, n);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    const order = permutation(random, size);
    const shuffled = new Uint8Array(size);
    for (let i = 0; i < size; i++) shuffled[order[i]!] = i < m ? 0 : 1;
    if (mmd2u(kernel, shuffled, m, n) >= observed) atLeast++;
  }
  return { mmd2: Math.max(0, observed), gamma, p_value: (atLeast + 1) / (permutations + 1) };
}

/** MMD²_u from the upper triangle of the kernel (its diagonal, 1, is left out as Evidently does). */
function mmd2u(kernel: Float64Array, group: Uint8Array, m: number, n: number): number {
  const size = m + n;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < size; i++) {
    const gi = group[i]!;
    const row = i * size;
    for (let j = i + 1; j < size; j++) {
      const k = kernel[row + j]!;
      const gj = group[j]!;
      if (gi !== gj) xy += k;
      else if (gi === 0) xx += k;
      else yy += k;
    }
  }
  return (2 * xx) / (m * (m - 1)) + (2 * yy) / (n * (n - 1)) - (2 * xy) / (m * n);
}

function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
