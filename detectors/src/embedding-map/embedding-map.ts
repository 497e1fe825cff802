import type { Store } from '@osprey/db';
import { resolveReference, type Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { isoWindow } from '../window';
import { cellTest } from './cell-test';
import { HIGH, LOW, mapFit, SHOWN_POINTS, widened, type Extent } from './map-fit';
import { cellSql, gridParams, insideSql, projectionParams, projectionSql } from './projection-sql';
import { referenceEmbeddings, windowEmbeddings } from '../embeddings/embedding-sql';

/** Cells per axis of the density grid: at most MAX_GRID, at least MIN_GRID… */
export const MAX_GRID = 24;
export const MIN_GRID = 8;
/** …and about this many rows of the smaller side per cell, so a cell's test has rows to go on. */
const ROWS_PER_CELL = 8;

/** The grid for a window of W rows against R reference rows. */
export function gridSize(W: number, R: number): number {
  const side = Math.floor(Math.sqrt(Math.min(W, R) / ROWS_PER_CELL));
  return Math.min(MAX_GRID, Math.max(MIN_GRID, side));
}

export interface MapCell {
  /** Column and row of the grid (x from the extent's left, y from its bottom). */
  i: number;
  j: number;
  reference: number;
  window: number;
  /** Window rows expected in the cell were the window drawn like the reference. */
  expected: number;
  /** One-sided tail of the cell's test (cell-test.ts) in the observed direction. */
  p_value: number;
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
  /** Cells per axis (gridSize: finer for larger windows). */
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
 * the plane of the reference's first two principal components, and a density grid of
 * both — every row projected in ClickHouse — on an extent covering both, whose cells are marked
 * where the window holds more or fewer rows than the reference's share predicts (cell-test.ts):
 * the drifted region.
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
    grid: MIN_GRID,
    cells: [],
    window_rows: 0,
    outside: { reference: 0, window: 0 },
    over_share: null,
    points: { reference: [], window: [] },
  };
  const ref = await resolveReference(store, settings, { ...scope, segment: undefined });
  if (!ref)
    return { ...base, reason: 'the reference dataset chosen for this model does not exist' };
  const fit = await mapFit(store, scope.model, ref, name, referenceEmbeddings(ref, scope, name));
  if ('reason' in fit) return { ...base, reason: fit.reason };
  const rows = windowEmbeddings('em', scope, name);
  const refRows = referenceEmbeddings(ref, scope, name);
  const plane = { ...projectionParams(fit.plane), pp_dim: fit.dimension };
  // The collector fixes each name's dimension; a vector of another length is left out.
  const projected = (r: { sql: string }, id: string) =>
    `SELECT ${id} AS id, ${projectionSql()} FROM (${r.sql}) WHERE length(vector) = {pp_dim:UInt32}`;
  const [spread] = (await store.query<{ x: number[]; y: number[]; n: string }>(
    `SELECT quantiles(${LOW}, ${HIGH})(x) AS x, quantiles(${LOW}, ${HIGH})(y) AS y, count() AS n
     FROM (${projected(rows, 'toString(event_id)')})`,
    { ...rows.params, ...plane },
  )) as [{ x: number[]; y: number[]; n: string }];
  // The grid covers the reference and the window, so a region only the window reaches has cells.
  const extent: Extent =
    Number(spread.n) === 0
      ? fit.extent
      : {
          x: union(fit.extent.x, widened(spread.x[0]!, spread.x[1]!)),
          y: union(fit.extent.y, widened(spread.y[0]!, spread.y[1]!)),
        };
  const size = gridSize(Number(spread.n), fit.rows);
  const grid = gridParams(extent, size);
  const count = (r: { sql: string; params: object }, id: string) =>
    store.query<{ cell: number; n: string; outside: string }>(
      `SELECT ${cellSql(size)} AS cell, count() AS n, countIf(NOT inside) AS outside
       FROM (SELECT *, ${insideSql()} FROM (${projected(r, id)})) GROUP BY cell`,
      { ...r.params, ...plane, ...grid },
    );
  const [windowCounts, referenceCounts, points] = await Promise.all([
    count(rows, 'toString(event_id)'),
    count(refRows, "''"),
    store.query<{ id: string; x: number; y: number }>(
      `SELECT id, x, y FROM (${projected(rows, 'toString(event_id)')})
       ORDER BY cityHash64(id) LIMIT ${SHOWN_POINTS}`,
      { ...rows.params, ...plane },
    ),
  ]);
  const tally = (counts: typeof windowCounts) => {
    const cells = new Array<number>(size * size).fill(0);
    let outside = 0;
    for (const c of counts) {
      cells[c.cell] = Number(c.n);
      outside += Number(c.outside);
    }
    return { cells, outside, total: cells.reduce((a, b) => a + b, 0) };
  };
  const win = tally(windowCounts);
  const ref_ = tally(referenceCounts);
  const W = win.total;
  const R = ref_.total;
  const cells: MapCell[] = [];
  let over = 0;
  ref_.cells.forEach((r, cell) => {
    const w = win.cells[cell]!;
    if (r === 0 && w === 0) return;
    const test = cellTest(r, R, w, W);
    if (test.region === 'over') over += w;
    cells.push({ i: cell % size, j: Math.floor(cell / size), reference: r, window: w, ...test });
  });
  return {
    ...base,
    reference: { key: ref.key, source: ref.source, rows: R },
    dimension: fit.dimension,
    explained_variance_ratio: fit.plane.explained_variance_ratio,
    extent,
    grid: size,
    cells,
    window_rows: W,
    outside: { reference: ref_.outside, window: win.outside },
    over_share: W === 0 ? null : over / W,
    points: {
      reference: fit.points,
      window: points.map((p) => ({ x: p.x, y: p.y, event_id: p.id })),
    },
  };
}

function union(a: [number, number], b: [number, number]): [number, number] {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}
