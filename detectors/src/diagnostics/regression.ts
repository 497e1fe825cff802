import type { QueryParams, Store } from '@osprey/db';
import { autoBinCount } from '../reference/auto-bins';
import { histogramBinSql, linspaceSql, percentilesSql } from './numpy-sql';

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

/** Counts per value of an array of bin numbers, as ([bins], [counts]). */
const countsSql = (bins: string) =>
  `arrayReduce('sumMap', arrayMap(b -> [b], ${bins}), arrayMap(b -> [toUInt64(1)], ${bins}))`;

/** Range ends as numpy takes them: an empty range widened by ½ either side. */
const widened = (mn: string, mx: string, p: string) =>
  `if(${mn} = ${mx}, ${mn} - 0.5, ${mn}) AS ${p}lo, if(${mn} = ${mx}, ${mx} + 0.5, ${mx}) AS ${p}hi`;

/**
 * A regression model's residual histogram and predicted-vs-actual grid, in two passes over the
 * labelled rows (rows of pn, ln). First n, min, max and the quartiles (numpy's linear
 * percentiles) of label − prediction choose numpy.histogram's 'auto' bin count, capped at
 * MAX_RESIDUAL_BINS. Then one pass gathers the rows and bins them: each residual by
 * numpy.histogram's rule between its min and max; each (prediction, label) as
 * numpy.histogram2d(prediction, label, bins=GRID_BINS, range=[[lo, hi]] * 2) over the common range
 * of both — a value's bin is the number of edges at or below it, less one (searchsorted, right),
 * the top edge in the last bin. Edges are computed in SQL from the rows' own min and max, never
 * parsed from text. The grid is a density: any number of rows draws in GRID_BINS² cells.
 */
export async function regressionSummary(
  store: Store,
  regression: string,
  params: QueryParams,
): Promise<{ residuals: Histogram; grid: Grid } | null> {
  const [shape] = await store.query<{ n: string; lo: number; hi: number; q: number[] }>(
    `SELECT count() AS n, min(r) AS lo, max(r) AS hi,
            ${percentilesSql('arraySort(groupArray(r))', '[0.75, 0.25]')} AS q
     FROM (${residuals(regression)})`,
    params,
  );
  const n = Number(shape?.n ?? 0);
  if (!shape || n === 0) return null;
  const bins = autoBinCount(n, shape.hi - shape.lo, shape.q[0]! - shape.q[1]!, MAX_RESIDUAL_BINS);
  const gridBin = (v: string) =>
    `if(${v} = ghi, {grid_bins:UInt32} - 1, arrayCount(e -> e <= ${v}, gedges) - 1)`;
  const [r] = (await store.query<{
    bin_edges: number[];
    residual_counts: [number[], (number | string)[]];
    range_lo: number;
    range_hi: number;
    grid_counts: [number[], (number | string)[]];
  }>(
    `WITH groupArray((pn, ln)) AS pl, arrayMap(x -> x.2 - x.1, pl) AS r,
          ${widened('arrayMin(r)', 'arrayMax(r)', 'r')}, {res_bins:UInt32} AS rbins,
          ${linspaceSql('rlo', 'rhi', 'rbins')} AS redges,
          arrayMap(v -> ${histogramBinSql('v', 'rlo', 'rhi', 'rbins', 'redges')}, r) AS rb,
          ${widened(
            'least(arrayMin(arrayMap(x -> x.1, pl)), arrayMin(arrayMap(x -> x.2, pl)))',
            'greatest(arrayMax(arrayMap(x -> x.1, pl)), arrayMax(arrayMap(x -> x.2, pl)))',
            'g',
          )},
          ${linspaceSql('glo', 'ghi', '{grid_bins:UInt32}')} AS gedges,
          arrayMap(x -> ${gridBin('x.1')} * {grid_bins:UInt32} + ${gridBin('x.2')}, pl) AS cells
     SELECT redges AS bin_edges, ${countsSql('rb')} AS residual_counts,
            glo AS range_lo, ghi AS range_hi, ${countsSql('cells')} AS grid_counts
     FROM (${regression})`,
    { ...params, res_bins: bins, grid_bins: GRID_BINS },
  )) as [
    {
      bin_edges: number[];
      residual_counts: [number[], (number | string)[]];
      range_lo: number;
      range_hi: number;
      grid_counts: [number[], (number | string)[]];
    },
  ];
  const counts = Array.from({ length: bins }, () => 0);
  r.residual_counts[0].forEach((b, k) => (counts[b] = Number(r.residual_counts[1][k])));
  const grid = Array.from({ length: GRID_BINS }, () => Array.from({ length: GRID_BINS }, () => 0));
  r.grid_counts[0].forEach((c, k) => {
    grid[Math.floor(c / GRID_BINS)]![c % GRID_BINS] = Number(r.grid_counts[1][k]);
  });
  return {
    residuals: { edges: r.bin_edges, counts },
    grid: { range: [r.range_lo, r.range_hi], bins: GRID_BINS, counts: grid },
  };
}
