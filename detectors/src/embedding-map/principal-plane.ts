import { mulberry32 } from '../random';

/** The plane a sample of vectors spreads most in: its mean and first two principal components. */
export interface PrincipalPlane {
  mean: number[];
  /** Two orthonormal directions, by decreasing variance. */
  components: [number[], number[]];
  /** The share of the sample's total variance each explains. */
  explained_variance_ratio: [number, number];
}

const ITERATIONS = 200;
const TOLERANCE = 1e-10;

/**
 * The top-two principal components of `rows` (n vectors of dimension d) by subspace iteration on
 * the centred sample: X (n × d) is never squared into a d × d covariance, so a 5,000 × 4,096 sample
 * costs 2·n·d per step instead of n·d² once. Seeded start, so the same sample gives the same plane;
 * each component's sign is fixed so that its largest-magnitude entry is positive (stable axes).
 */
export function principalPlane(rows: readonly ArrayLike<number>[], seed = 18): PrincipalPlane {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (n < 2 || d < 2) throw new Error('principalPlane needs at least 2 vectors of dimension ≥ 2');
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const centred = rows.map((r) => Float64Array.from({ length: d }, (_, j) => r[j]! - mean[j]!));
  let total = 0;
  for (const r of centred) for (let j = 0; j < d; j++) total += r[j]! * r[j]!;

  const random = mulberry32(seed);
  let basis: Float64Array[] = [0, 1].map(() =>
    Float64Array.from({ length: d }, () => random() - 0.5),
  );
  orthonormalize(basis);
  for (let step = 0; step < ITERATIONS; step++) {
    const next = basis.map((v) => covarianceTimes(centred, v));
    orthonormalize(next);
    const moved = Math.max(...next.map((v, i) => 1 - Math.abs(dot(v, basis[i]!))));
    basis = next;
    if (moved < TOLERANCE) break;
  }
  // Order the two by the variance they carry (subspace iteration settles the plane first).
  const variance = basis.map((v) => dot(v, covarianceTimes(centred, v)));
  if (variance[1]! > variance[0]!) {
    basis.reverse();
    variance.reverse();
  }
  const components = basis.map(fixSign) as [number[], number[]];
  return {
    mean: [...mean],
    components,
    explained_variance_ratio: variance.map((v) => (total > 0 ? v / total : 0)) as [number, number],
  };
}

/** Xᵀ(X v): the (unscaled) covariance of the centred rows times v. */
function covarianceTimes(centred: Float64Array[], v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (const r of centred) {
    const s = dot(r, v);
    for (let j = 0; j < r.length; j++) out[j]! += s * r[j]!;
  }
  return out;
}

/** Gram–Schmidt, in place. */
function orthonormalize(vectors: Float64Array[]): void {
  vectors.forEach((v, i) => {
    for (let k = 0; k < i; k++) {
      const p = dot(v, vectors[k]!);
      for (let j = 0; j < v.length; j++) v[j]! -= p * vectors[k]![j]!;
    }
    const norm = Math.sqrt(dot(v, v));
    for (let j = 0; j < v.length; j++) v[j]! /= norm || 1;
  });
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function fixSign(v: Float64Array): number[] {
  let largest = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]!) > Math.abs(v[largest]!)) largest = j;
  const sign = v[largest]! < 0 ? -1 : 1;
  return [...v].map((x) => x * sign);
}
