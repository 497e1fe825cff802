/** Rows of one embedding, row-major: row i is data[i·dim, (i+1)·dim). */
export interface Vectors {
  count: number;
  dim: number;
  data: Float64Array;
}

export function vectorsOf(rows: readonly (readonly number[])[], dim: number): Vectors {
  const data = new Float64Array(rows.length * dim);
  rows.forEach((row, i) => data.set(row, i * dim));
  return { count: rows.length, dim, data };
}

/** The rows at `indices` (repeats allowed), in that order. */
export function pick(v: Vectors, indices: ArrayLike<number>): Vectors {
  const data = new Float64Array(indices.length * v.dim);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]! * v.dim;
    data.set(v.data.subarray(from, from + v.dim), i * v.dim);
  }
  return { count: indices.length, dim: v.dim, data };
}

/** The first `count` rows. */
export function head(v: Vectors, count: number): Vectors {
  const n = Math.min(count, v.count);
  return { count: n, dim: v.dim, data: v.data.subarray(0, n * v.dim) };
}

/** Two row sets one after the other. */
export function stack(a: Vectors, b: Vectors): Vectors {
  const data = new Float64Array((a.count + b.count) * a.dim);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { count: a.count + b.count, dim: a.dim, data };
}

export function columnMeans(v: Vectors, indices?: ArrayLike<number>): Float64Array {
  const mean = new Float64Array(v.dim);
  const n = indices ? indices.length : v.count;
  for (let r = 0; r < n; r++) {
    const from = (indices ? indices[r]! : r) * v.dim;
    for (let j = 0; j < v.dim; j++) mean[j]! += v.data[from + j]!;
  }
  for (let j = 0; j < v.dim; j++) mean[j]! /= n;
  return mean;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(s);
}

/** SciPy's cosine distance, 1 − a·b / (‖a‖‖b‖). */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j]! * b[j]!;
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
  }
  return 1 - ab / Math.sqrt(aa * bb);
}

/** The q-quantile of values, linear between order statistics (NumPy's default percentile). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/** n draws of 0..size−1 with replacement. */
export function drawIndices(random: () => number, size: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * size);
  return out;
}

/** A seeded Fisher–Yates permutation of 0..n−1. */
export function permutation(random: () => number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
