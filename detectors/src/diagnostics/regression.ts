import type { QueryParams, Store } from '@osprey/db';
import { autoBinCount, histogramBinSql, linspaceSql, percentilesSql } from './numpy-sql';

/** At most this many residual bins (numpy's 'auto' gives a heavy tail thousands). */
export const MAX_RESIDUAL_BINS = 100;
/** Predicted-vs-actual grid: this many bins a side. */
export const GRID_BINS = 20;

export interface Histogram {
  /** bins + 1 edges, numpy.histogram's; counts[i] holds [edges[i], edges[i+1]), the last bin closed. */
  edges: number[];
  counts: number[];
}

export interface Grid {
  /** The common range of predictions and labels, so the diagonal is prediction = label. */
  range: [number, number];
  bins: number;
  /** counts[i][j]: rows predicted in bin i whose label is in bin j (numpy.histogram2d's layout). */
  counts: number[][];
}

/** Residual = label − prediction, over rows of pn, ln. */
const residuals = (regression: string) => `SELECT ln - pn AS r FROM (${regression})`;

/**
 * numpy.histogram(label − prediction, bins='auto') in two aggregates: n, min, max and the
 * quartiles (numpy's linear percentiles) choose the bin count, capped at MAX_RESIDUAL_BINS; then
 * each residual's bin by numpy's rule. Null when there are no rows.
 */
export async function residualHistogram(
  store: Store,
  regression: string,
  params: QueryParams,
): Promise<Histogram | null> {
  const [shape] = await store.query<{ n: string; lo: number; hi: number; q: number[] }>(
    `SELECT count() AS n, min(r) AS lo, max(r) AS hi,
            ${percentilesSql('arraySort(groupArray(r))', '[0.75, 0.25]')} AS q
     FROM (${residuals(regression)})`,
    params,
  );
  const n = Number(shape?.n ?? 0);
  if (!shape || n === 0) return null;
  const bins = autoBinCount(n, shape.hi - shape.lo, shape.q[0]! - shape.q[1]!, MAX_RESIDUAL_BINS);
  // numpy widens an empty range by ½ either side.
  const lo = `if(mn = mx, mn - 0.5, mn)`;
  const hi = `if(mn = mx, mx + 0.5, mx)`;
  const rows = await store.query<{ bin_edges: number[]; bin: number; n: string }>(
    `WITH (SELECT (min(r), max(r)) FROM (${residuals(regression)})) AS mm,
          mm.1 AS mn, mm.2 AS mx, ${lo} AS lo, ${hi} AS hi, {res_bins:UInt32} AS bins,
          ${linspaceSql('lo', 'hi', 'bins')} AS edges
     SELECT any(edges) AS bin_edges, ${histogramBinSql('r', 'lo', 'hi', 'bins', 'edges')} AS bin, count() AS n
     FROM (${residuals(regression)}) GROUP BY bin ORDER BY bin`,
    { ...params, res_bins: bins },
  );
  const counts = Array.from({ length: bins }, () => 0);
  for (const r of rows) counts[r.bin] = Number(r.n);
  return { edges: rows[0]!.bin_edges, counts };
}

/**
 * numpy.histogram2d(prediction, label, bins=GRID_BINS, range=[[lo, hi]] * 2) over the common
 * range of both: a value's bin is the number of edges at or below it, less one (numpy's
 * searchsorted, right), the top edge in the last bin. A density, so any number of rows draws
 * in GRID_BINS² cells.
 */
export async function predictedVsActual(
  store: Store,
  regression: string,
  params: QueryParams,
): Promise<Grid | null> {
  const bin = (v: string) => `if(${v} = hi, bins - 1, arrayCount(e -> e <= ${v}, edges) - 1)`;
  const rows = await store.query<{
    range_lo: number;
    range_hi: number;
    i: number;
    j: number;
    n: string;
  }>(
    `WITH (SELECT (least(min(pn), min(ln)), greatest(max(pn), max(ln))) FROM (${regression})) AS mm,
          if(mm.1 = mm.2, mm.1 - 0.5, mm.1) AS lo, if(mm.1 = mm.2, mm.2 + 0.5, mm.2) AS hi,
          {grid_bins:UInt32} AS bins, ${linspaceSql('lo', 'hi', 'bins')} AS edges
     SELECT any(lo) AS range_lo, any(hi) AS range_hi, ${bin('pn')} AS i, ${bin('ln')} AS j, count() AS n
     FROM (${regression}) GROUP BY i, j`,
    { ...params, grid_bins: GRID_BINS },
  );
  if (rows.length === 0) return null;
  const counts = Array.from({ length: GRID_BINS }, () =>
    Array.from({ length: GRID_BINS }, () => 0),
  );
  for (const r of rows) counts[r.i]![r.j] = Number(r.n);
  return { range: [rows[0]!.range_lo, rows[0]!.range_hi], bins: GRID_BINS, counts };
}
