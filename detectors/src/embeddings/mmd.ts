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
      const dot = dotProduct(z, a, b, d);
      kernel[i * size + j] = Math.max(0, norms[i]! + norms[j]! - 2 * dot);
    }
  }
  const cross = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) cross[i * n + j] = Math.sqrt(kernel[i * size + m + j]!);
  const median = medianOf(cross);
  // Every reference row equal to every window row (median 0): any bandwidth gives MMD² = 0.
  const gamma = median > 0 ? 1 / (median * median) : 1;
  for (let i = 0; i < size; i++)
    for (let j = i + 1; j < size; j++)
      kernel[i * size + j] = Math.exp(-gamma * kernel[i * size + j]!);

  let total = 0;
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) total += kernel[i * size + j]!;
  const range = (from: number, to: number) =>
    Uint32Array.from({ length: to - from }, (_, i) => from + i);
  const observed = mmd2u(kernel, size, total, range(0, m), range(m, size));
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    const order = permutation(random, size);
    const x = order.slice(0, m).sort();
    const y = order.slice(m).sort();
    if (mmd2u(kernel, size, total, x, y) >= observed) atLeast++;
  }
  return { mmd2: Math.max(0, observed), gamma, p_value: (atLeast + 1) / (permutations + 1) };
}

/**
 * MMD²_u from the kernel's upper triangle (its diagonal, 1, is left out as Evidently does): the
 * sums within each group over their sorted rows, the cross sum as what is left of the total.
 */
function mmd2u(
  kernel: Float64Array,
  size: number,
  total: number,
  x: Uint32Array,
  y: Uint32Array,
): number {
  const m = x.length;
  const n = y.length;
  const xx = within(kernel, size, x);
  const yy = within(kernel, size, y);
  const xy = total - xx - yy;
  return (2 * xx) / (m * (m - 1)) + (2 * yy) / (n * (n - 1)) - (2 * xy) / (m * n);
}

/** Σ kernel[a][b] over the pairs a < b of the sorted rows. */
function within(kernel: Float64Array, size: number, rows: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]! * size;
    for (let j = i + 1; j < rows.length; j++) s += kernel[row + rows[j]!]!;
  }
  return s;
}

function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** z[a..a+d) · z[b..b+d), four running sums (about twice as fast as one in V8). */
function dotProduct(z: Float64Array, a: number, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += z[a + k]! * z[b + k]!;
    s1 += z[a + k + 1]! * z[b + k + 1]!;
    s2 += z[a + k + 2]! * z[b + k + 2]!;
    s3 += z[a + k + 3]! * z[b + k + 3]!;
  }
  for (; k < d; k++) s0 += z[a + k]! * z[b + k]!;
  return s0 + s1 + (s2 + s3);
}
