import type { Store } from '@osprey/db';
import { resolveReference, type Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { isoWindow } from '../window';
import { GRID, mapFit, SHOWN_POINTS, type Extent } from './map-fit';
import { cellSql, projectionParams, projectionSql } from './projection-sql';
import { loggedVectors, referenceVectors } from './vector-rows';

/** A cell is part of the drifted region when the window's share of it is this many SE above the reference's. */
export const DRIFT_Z = 3;

export interface MapCell {
  /** Column and row of the grid (x from the extent's left, y from its bottom). */
  i: number;
  j: number;
  reference: number;
  window: number;
  /** Two-proportion z of the window's share of the cell against the reference's. */
  z: number;
  /** over: the window crowds a region the reference rarely covers; under: it left one. */
  region: 'over' | 'under' | null;
}

export interface EmbeddingMap {
  model: string;
  name: string;
  window: { from: string; to: string };
  reference: { key: string; source: string; rows: number } | null;
  dimension: number | null;
  /** The plane: the reference sample's first two principal components. */
  explained_variance_ratio: [number, number] | null;
  extent: Extent | null;
  grid: number;
  /** Non-empty cells. */
  cells: MapCell[];
  window_rows: number;
  /** Rows of each side outside the extent (drawn in the edge cells). */
  outside: { reference: number; window: number };
  /** Share of the window's rows in `over` cells: how much of it lies where the reference is thin. */
  over_share: number | null;
  points: {
    reference: [number, number][];
    /** Window points, each with its event id (for its nearest examples). */
    window: { x: number; y: number; event_id: string }[];
  };
  reason?: string;
}

/**
 * Where a window's vectors of one embedding drifted: the reference's and the window's points on
 * the plane of the reference's first two principal components, and a GRID × GRID density grid of
 * both — every row projected in ClickHouse — whose cells are marked where the window's share
 * differs from the reference's by more than DRIFT_Z standard errors (the drifted region).
 */
export async function embeddingMap(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  name: string,
): Promise<EmbeddingMap> {
  const base: EmbeddingMap = {
    model: scope.model,
    name,
    window: isoWindow(scope.window),
    reference: null,
    dimension: null,
    explained_variance_ratio: null,
    extent: null,
    grid: GRID,
    cells: [],
    window_rows: 0,
    outside: { reference: 0, window: 0 },
    over_share: null,
    points: { reference: [], window: [] },
  };
  const ref = await resolveReference(store, settings, { ...scope, segment: undefined });
  if (!ref)
    return { ...base, reason: 'the reference dataset chosen for this model does not exist' };
  const fit = await mapFit(store, scope.model, ref, name, referenceVectors(ref, scope, name));
  if ('reason' in fit) return { ...base, reason: fit.reason };
  const rows = loggedVectors(scope, name, scope.window.from, scope.window.to);
  const params = {
    ...rows.params,
    ...projectionParams(fit.plane, fit.extent, GRID),
    pp_dim: fit.dimension,
  };
  // The collector fixes each name's dimension; a vector of another length is left out, not an error.
  const projected = `SELECT event_id, ${projectionSql()} FROM (${rows.sql})
                     WHERE length(vector) = {pp_dim:UInt32}`;
  const [counts, points] = await Promise.all([
    store.query<{ cell: number; n: string; outside: string }>(
      `SELECT ${cellSql(GRID)} AS cell, count() AS n, countIf(NOT inside) AS outside
       FROM (${projected}) GROUP BY cell`,
      params,
    ),
    store.query<{ id: string; x: number; y: number }>(
      `SELECT toString(event_id) AS id, x, y FROM (${projected})
       ORDER BY cityHash64(event_id) LIMIT ${SHOWN_POINTS}`,
      params,
    ),
  ]);
  const windowCells = new Array<number>(GRID * GRID).fill(0);
  let windowOutside = 0;
  for (const c of counts) {
    windowCells[c.cell] = Number(c.n);
    windowOutside += Number(c.outside);
  }
  const W = windowCells.reduce((a, b) => a + b, 0);
  const R = fit.rows;
  const cells: MapCell[] = [];
  let over = 0;
  fit.cells.forEach((r, cell) => {
    const w = windowCells[cell]!;
    if (r === 0 && w === 0) return;
    const z = W === 0 ? 0 : twoProportionZ(r, R, w, W);
    const region = z > DRIFT_Z ? 'over' : z < -DRIFT_Z ? 'under' : null;
    if (region === 'over') over += w;
    cells.push({ i: cell % GRID, j: Math.floor(cell / GRID), reference: r, window: w, z, region });
  });
  return {
    ...base,
    reference: { key: ref.key, source: ref.source, rows: R },
    dimension: fit.dimension,
    explained_variance_ratio: fit.plane.explained_variance_ratio,
    extent: fit.extent,
    cells,
    window_rows: W,
    outside: { reference: fit.outside, window: windowOutside },
    over_share: W === 0 ? null : over / W,
    points: {
      reference: fit.points,
      window: points.map((p) => ({ x: p.x, y: p.y, event_id: p.id })),
    },
  };
}

/** z of the window's share w/W of a cell against the reference's r/R, with the pooled share. */
export function twoProportionZ(r: number, R: number, w: number, W: number): number {
  const pooled = (r + w) / (R + W);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / R + 1 / W));
  return se === 0 ? 0 : (w / W - r / R) / se;
}
