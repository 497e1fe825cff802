import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import { fitPca, type PcaBasis } from './pca';
import { featureCount, fitPreprocessing, type Preprocessing } from './preprocess';
import { basisParams, preprocessingParams, rowErrors, standardizedRows } from './row-sql';

/** Stored fits of another format are refitted. */
export const FIT_FORMAT = 1;

/**
 * The reference's row errors are kept summed over at most this many consecutive blocks of rows
 * (by time): a window's thresholds come from reference chunks of about the window's size, made
 * of whole blocks (see referenceChunks).
 */
export const MAX_BLOCKS = 2_000;

/** What multivariate drift fits once per reference and reuses for every window. */
export interface ReconstructionFit {
  format: number;
  /** Reference rows fitted on: a reference whose count changed is refitted. */
  rows: number;
  preprocessing: Preprocessing;
  basis: PcaBasis;
  /** The reference's row errors per block of consecutive rows (timestamp order): rows and Σ. */
  blocks: { rows: number[]; sums: number[] };
}

export type FitOutcome = ReconstructionFit | { format: number; rows: number; reason: string };

/**
 * Fits NannyML's DataReconstructionDriftCalculator on the reference in three ClickHouse passes
 * and an eigen-decomposition here: the imputers, encoders and scaler (fitPreprocessing), the
 * covariance of the standardized rows (n, Σz, Σzzᵀ), then the reference's own row errors per
 * block of consecutive rows, from which thresholds are drawn.
 */
export async function fitReconstruction(
  store: Store,
  rows: RowSet,
  count: number,
): Promise<FitOutcome> {
  const unfit = (reason: string) => ({ format: FIT_FORMAT, rows: count, reason });
  if (count < 2) return unfit('the reference has fewer than 2 rows');
  const preprocessing = await fitPreprocessing(store, rows, count);
  if (featureCount(preprocessing) === 0) return unfit('the reference has no features');
  const params = { ...rows.params, ...preprocessingParams(preprocessing) };
  const [moments] = (await store.query<{ n: string; sum: number[]; products: number[] }>(
    `SELECT count() AS n, sumForEach(z) AS sum,
            sumForEach(arrayFlatten(arrayMap(a -> arrayMap(b -> a * b, z), z))) AS products
     FROM (${standardizedRows(preprocessing, rows)})`,
    params,
  )) as [{ n: string; sum: number[]; products: number[] }];
  const basis = fitPca({ n: Number(moments.n), sum: moments.sum, products: moments.products });
  const blocks = Math.min(MAX_BLOCKS, count);
  // Ties in time are broken by a hash of the row, so the same reference always splits the same way.
  const ordered: RowSet = {
    sql: `SELECT *, intDiv((row_number() OVER (ORDER BY timestamp, row_hash) - 1) * ${blocks}, {mv_rows:UInt64}) AS block
          FROM (SELECT *, cityHash64(tuple(*)) AS row_hash FROM (${rows.sql}))`,
    params: {},
  };
  const sums = await store.query<{ block: string; n: string; sum: number }>(
    `SELECT block, count() AS n, sum(err) AS sum FROM (${rowErrors({ preprocessing, basis }, ordered, 'block,')})
     GROUP BY block ORDER BY block`,
    { ...params, ...basisParams(basis), mv_rows: count },
  );
  return {
    format: FIT_FORMAT,
    rows: count,
    preprocessing,
    basis,
    blocks: { rows: sums.map((b) => Number(b.n)), sums: sums.map((b) => b.sum) },
  };
}

/**
 * The reference's chunk values (mean row error) for a window of `size` rows: consecutive blocks
 * grouped into chunks of about `size` rows, the blocks left over joining the last chunk. A window
 * larger than a fifth of the reference gets NannyML's default of 10 chunks. With blocks of one
 * row, or a size that is a whole number of blocks, these are exactly the chunks NannyML's
 * SizeBasedChunker(size) makes of the reference.
 */
export function referenceChunks(blocks: ReconstructionFit['blocks'], size: number): number[] {
  const b = blocks.rows.length;
  const total = blocks.rows.reduce((a, n) => a + n, 0);
  let perChunk = Math.max(1, Math.round((size * b) / total));
  if (Math.floor(b / perChunk) < 5) perChunk = Math.max(1, Math.floor(b / 10));
  const chunks = Math.max(1, Math.floor(b / perChunk));
  const values: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const end = c === chunks - 1 ? b : (c + 1) * perChunk;
    let rows = 0;
    let sum = 0;
    for (let i = c * perChunk; i < end; i++) {
      rows += blocks.rows[i]!;
      sum += blocks.sums[i]!;
    }
    values.push(sum / rows);
  }
  return values;
}
