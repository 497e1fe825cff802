import type { Store } from '@osprey/db';
import { loadFit, saveFit } from '../reference/fit-store';
import type { Reference } from '../reference/resolve';
import { principalPlane, type PrincipalPlane } from './principal-plane';
import { cellSql, projectionParams, projectionSql } from './projection-sql';
import type { VectorRows } from './vector-rows';

/** The family's name in reference_fits; fits are keyed by reference and embedding name. */
export const FAMILY = 'embedding_map';
const FIT_FORMAT = 1;
/** Cells per axis of the density grid. */
export const GRID = 24;
/** Reference vectors the plane is fitted on (a seeded sample). */
export const FIT_SAMPLE = 5_000;
/** Points of each side drawn on the map. */
export const SHOWN_POINTS = 1_000;
/** The grid spans the reference sample's 0.5–99.5% quantiles, widened by this share each side. */
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
  extent: Extent;
  /** Reference rows per grid cell (row-major, GRID × GRID; every row, clamped into the grid). */
  cells: number[];
  /** Reference rows that fell outside the extent (clamped into edge cells). */
  outside: number;
  /** A seeded sample of the reference's projected points. */
  points: [number, number][];
}

/**
 * The reference's map of one embedding: the plane of its first two principal components (fitted
 * on a seeded sample, principal-plane.ts), the grid's extent, and the reference's density on the
 * grid — every reference row projected and counted in ClickHouse. Stored per reference and name
 * and fitted again when the reference's row count changes.
 */
export async function mapFit(
  store: Store,
  model: string,
  ref: Reference,
  name: string,
  rows: VectorRows,
): Promise<MapFit | { reason: string }> {
  const [counted] = (await store.query<{ n: string; dims: string; dim: string }>(
    `SELECT count() AS n, uniqExact(length(vector)) AS dims, any(length(vector)) AS dim
     FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; dims: string; dim: string }];
  const n = Number(counted.n);
  if (n < 2) return { reason: `the reference has ${n} vectors of "${name}"` };
  if (Number(counted.dims) !== 1)
    return { reason: `the reference's "${name}" vectors differ in length` };
  const key = `${ref.key}|${name}`;
  const stored = await loadFit<MapFit>(store, model, key, FAMILY);
  if (stored?.format === FIT_FORMAT && stored.rows === n) return stored;

  const sample = await store.query<{ vector: number[] }>(
    `SELECT vector FROM (${rows.sql}) ORDER BY cityHash64(18, timestamp, vector[1]) LIMIT ${FIT_SAMPLE}`,
    rows.params,
  );
  const plane = principalPlane(sample.map((r) => r.vector));
  const projected = sample.map((r) => project(plane, r.vector));
  const extent = {
    x: widen(projected.map((p) => p[0])),
    y: widen(projected.map((p) => p[1])),
  };
  const params = { ...rows.params, ...projectionParams(plane, extent, GRID) };
  const cells = new Array<number>(GRID * GRID).fill(0);
  const counts = await store.query<{ cell: number; n: string; outside: string }>(
    `SELECT ${cellSql(GRID)} AS cell, count() AS n, countIf(NOT inside) AS outside
     FROM (SELECT ${projectionSql()} FROM (${rows.sql})) GROUP BY cell`,
    params,
  );
  let outside = 0;
  for (const c of counts) {
    cells[c.cell] = Number(c.n);
    outside += Number(c.outside);
  }
  const fit: MapFit = {
    format: FIT_FORMAT,
    rows: n,
    dimension: Number(counted.dim),
    plane,
    extent,
    cells,
    outside,
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

function widen(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const lo = at(0.005);
  const hi = at(0.995);
  const span = hi - lo || Math.abs(lo) || 1;
  return [lo - MARGIN * span, hi + MARGIN * span];
}
