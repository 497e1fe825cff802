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
  const d = featureCount(preprocessing);
  // Σz and the upper triangle of Σzzᵀ as one sum per coordinate and pair, over scalar columns: a
  // lambda over the row vector copies it once per element, and sums over arrays of products build
  // an array per row (both measured 1.5–3× slower).
  const pairs: [number, number][] = [];
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) pairs.push([i, j]);
  const coordinates = Array.from({ length: d }, (_, i) => `z[${i + 1}] AS z${i}`).join(', ');
  const [moments] = (await store.query<{ n: string; sum: number[]; upper: number[] }>(
    `SELECT count() AS n, [${Array.from({ length: d }, (_, i) => `sum(z${i})`).join(', ')}] AS sum,
            [${pairs.map(([i, j]) => `sum(z${i} * z${j})`).join(', ')}] AS upper
     FROM (SELECT ${coordinates} FROM (${standardizedRows(preprocessing, rows)}))`,
    params,
  )) as [{ n: string; sum: number[]; upper: number[] }];
  const products = new Array<number>(d * d);
  pairs.forEach(([i, j], p) => {
    products[i * d + j] = moments.upper[p]!;
    products[j * d + i] = moments.upper[p]!;
  });
  const basis = fitPca({ n: Number(moments.n), sum: moments.sum, products });
  const blocks = Math.min(MAX_BLOCKS, count);
  // Rows in time order, numbered after their errors are computed so that only (time, error) is
  // sorted; rows tied on both are interchangeable for the blocks' counts and sums, so the same
  // reference always gives the same blocks.
  const timed: RowSet = { sql: `SELECT *, timestamp AS ts FROM (${rows.sql})`, params: {} };
  const sums = await store.query<{ block: string; n: string; sum: number }>(
    `SELECT block, count() AS n, sum(err) AS sum
     FROM (
       SELECT err, intDiv((row_number() OVER (ORDER BY ts, err) - 1) * ${blocks}, {mv_rows:UInt64}) AS block
       FROM (${rowErrors({ preprocessing, basis }, timed, 'ts,')}))
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
