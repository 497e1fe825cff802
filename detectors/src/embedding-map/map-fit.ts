import type { Store } from '@osprey/db';
import { loadFit, saveFit } from '../reference/fit-store';
import type { Reference } from '../reference/resolve';
import { principalPlane, type PrincipalPlane } from './principal-plane';
import type { RowSet } from '../sql/rows';

/** The family's name in reference_fits; fits are keyed by reference and embedding name. */
export const FAMILY = 'embedding_map';
const FIT_FORMAT = 2;
/** Reference vectors the plane is fitted on (a seeded sample). */
export const FIT_SAMPLE = 5_000;
/** Points of each side drawn on the map. */
export const SHOWN_POINTS = 1_000;
/** An extent spans its points' LOW–HIGH quantiles (a few far points do not squash the rest)… */
export const LOW = 0.005;
export const HIGH = 0.995;
/** …widened by this share of its span each side. */
const MARGIN = 0.1;

export interface Extent {
  x: [number, number];
  y: [number, number];
}

export interface MapFit {
  format: number;
  /** Reference rows (vectors) the fit was computed for; a new count refits. */
  rows: number;
  dimension: number;
  plane: PrincipalPlane;
  /** Where the reference sample lies on the plane. */
  extent: Extent;
  /** A seeded sample of the reference's projected points. */
  points: [number, number][];
}

/**
 * The reference's map of one embedding: the plane of its first two principal components (fitted
 * on a seeded sample, principal-plane.ts), where the sample lies on it, and the points to draw.
 * Stored per reference and name, and fitted again when the reference's row count changes.
 */
export async function mapFit(
  store: Store,
  model: string,
  ref: Reference,
  name: string,
  rows: RowSet,
): Promise<MapFit | { reason: string }> {
  const [counted] = (await store.query<{ n: string; dims: string; dim: string }>(
    `SELECT count() AS n, uniqExact(length(vector)) AS dims, any(length(vector)) AS dim
     FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; dims: string; dim: string }];
  const n = Number(counted.n);
  if (n < 2) return { reason: `the reference has ${n} vectors of "${name}"` };
  if (Number(counted.dims) !== 1) {
    return { reason: `the reference's "${name}" vectors differ in length` };
  }
  const key = `${ref.key}|${name}`;
  const stored = await loadFit<MapFit>(store, model, key, FAMILY);
  if (stored?.format === FIT_FORMAT && stored.rows === n) return stored;

  const sample = await store.query<{ vector: number[] }>(
    `SELECT vector FROM (${rows.sql}) ORDER BY cityHash64(18, timestamp, vector[1]) LIMIT ${FIT_SAMPLE}`,
    rows.params,
  );
  const plane = principalPlane(sample.map((r) => r.vector));
  const projected = sample.map((r) => project(plane, r.vector));
  const fit: MapFit = {
    format: FIT_FORMAT,
    rows: n,
    dimension: Number(counted.dim),
    plane,
    extent: { x: spread(projected.map((p) => p[0])), y: spread(projected.map((p) => p[1])) },
    points: projected.slice(0, SHOWN_POINTS),
  };
  await saveFit(store, model, key, FAMILY, fit);
  return fit;
}

/** A vector's coordinates on the plane. */
export function project(plane: PrincipalPlane, v: ArrayLike<number>): [number, number] {
  const [a, b] = plane.components;
  let x = 0;
  let y = 0;
  for (let j = 0; j < v.length; j++) {
    const c = v[j]! - plane.mean[j]!;
    x += c * a[j]!;
    y += c * b[j]!;
  }
  return [x, y];
}

/** The LOW–HIGH quantiles of `values`, widened. */
function spread(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return widened(at(LOW), at(HIGH));
}

/** [lo, hi] widened by MARGIN of its span each side. */
export function widened(lo: number, hi: number): [number, number] {
  const span = hi - lo || Math.abs(lo) || 1;
  return [lo - MARGIN * span, hi + MARGIN * span];
}
