import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import { fitPca, type PcaBasis } from './pca';
import {
  featureCount,
  fitPreprocessing,
  fitPreprocessingOf,
  type Preprocessing,
} from './preprocess';
import {
  basisParams,
  batchedBlocksSql,
  batchedMomentsSql,
  preprocessingParams,
  rowErrors,
  standardizedRows,
} from './row-sql';
import { resolveBounds, spreadBounds, STANDARD_DEVIATION_3, type Bounds } from './thresholds';

/** Stored fits of another format are refitted. */
export const FIT_FORMAT = 2;

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
  /** Population variance of the reference's row errors. */
  error_variance: number;
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
  const sums = await store.query<BlockSums>(
    `SELECT block, count() AS n, sum(err) AS sum, sum(err * err) AS squares
     FROM (
       SELECT err, intDiv((row_number() OVER (ORDER BY ts, err) - 1) * ${blocks}, {mv_rows:UInt64}) AS block
       FROM (${rowErrors({ preprocessing, basis }, timed, 'ts,')}))
     GROUP BY block ORDER BY block`,
    { ...params, ...basisParams(basis), mv_rows: count },
  );
  return fitted(count, preprocessing, basis, sums);
}

type BlockSums = { n: string; sum: number; squares: number };

function fitted(
  count: number,
  preprocessing: Preprocessing,
  basis: PcaBasis,
  sums: readonly BlockSums[],
): ReconstructionFit {
  return {
    format: FIT_FORMAT,
    rows: count,
    preprocessing,
    basis,
    blocks: { rows: sums.map((b) => Number(b.n)), sums: sums.map((b) => b.sum) },
    error_variance: Math.max(0, total(sums, 'squares') / count - (total(sums, 'sum') / count) ** 2),
  };
}

/**
 * fitReconstruction of several references in the same three statements (`rows` holds them, with
 * `target`), each by its target in `counts` (its row count): for a batch's small references,
 * whose statements' own cost (~10–15 ms each) is most of a fit. The moments are summed as arrays
 * (batchedMomentsSql), the rest as fitReconstruction does.
 */
export async function fitReconstructionOf(
  store: Store,
  rows: RowSet,
  counts: ReadonlyMap<string, number>,
): Promise<Map<string, FitOutcome>> {
  const out = new Map<string, FitOutcome>();
  const unfit = (key: string, reason: string) =>
    out.set(key, { format: FIT_FORMAT, rows: counts.get(key)!, reason });
  for (const [key, count] of counts)
    if (count < 2) unfit(key, 'the reference has fewer than 2 rows');
  const fitting = new Map([...counts].filter(([key]) => !out.has(key)));
  if (fitting.size === 0) return out;
  const preprocessings = new Map<string, Preprocessing>();
  for (const [key, p] of await fitPreprocessingOf(store, rows, fitting)) {
    if (featureCount(p) === 0) unfit(key, 'the reference has no features');
    else preprocessings.set(key, p);
  }
  if (preprocessings.size === 0) return out;
  const moments = batchedMomentsSql(preprocessings, rows);
  const summed = await store.query<{
    target: string;
    n: string;
    sum: number[];
    products: number[];
  }>(moments.sql, moments.params);
  const fits = new Map<string, { preprocessing: Preprocessing; basis: PcaBasis }>();
  for (const m of summed) {
    const preprocessing = preprocessings.get(m.target)!;
    fits.set(m.target, {
      preprocessing,
      basis: fitPca({ n: Number(m.n), sum: m.sum, products: m.products }),
    });
  }
  const keys = [...fits.keys()];
  const blocks = batchedBlocksSql(fits, rows, {
    blocks: keys.map((k) => Math.min(MAX_BLOCKS, counts.get(k)!)),
    rows: keys.map((k) => counts.get(k)!),
  });
  const sums = new Map<string, BlockSums[]>(keys.map((k) => [k, []]));
  for (const b of await store.query<{
    target: string;
    n: string[];
    sum: number[];
    squares: number[];
  }>(blocks.sql, blocks.params))
    sums.set(
      b.target,
      b.n.map((n, i) => ({ n, sum: b.sum[i]!, squares: b.squares[i]! })),
    );
  for (const [key, { preprocessing, basis }] of fits)
    out.set(key, fitted(counts.get(key)!, preprocessing, basis, sums.get(key)!));
  return out;
}

const total = <K extends string>(rows: readonly Record<K, number>[], key: K) =>
  rows.reduce((a, r) => a + r[key], 0);

export interface ReferenceThresholds {
  bounds: Bounds;
  /** Reference chunks the bounds come from, and their rows each (about). */
  chunks: number;
  chunk_rows: number;
  /**
   * Set for a window smaller than a block: the chunks' spread, scaled to the window's rows (see
   * referenceThresholds).
   */
  scaled_to_rows?: number;
}

/**
 * StandardDeviation(3) bounds for a window of `size` rows over the reference's chunks of about
 * that size (referenceChunks), the lower bound dropped at ≤ 0. A window smaller than a block
 * cannot get chunks of its size; the spread of its mean is then the chunks' spread with the
 * sampling part rescaled: var(mean of m rows) ≈ τ² + σ²/m, with σ² the row errors' variance and
 * τ² = var(block means) − σ²/(block rows) what varies between chunks beyond sampling.
 */
export function referenceThresholds(
  fit: Pick<ReconstructionFit, 'blocks' | 'rows' | 'error_variance'>,
  size: number,
  spec = STANDARD_DEVIATION_3,
): ReferenceThresholds {
  const values = referenceChunks(fit.blocks, size);
  const blockRows = fit.rows / fit.blocks.rows.length;
  const limits = { lower: 0 };
  const chunks = { chunks: values.length, chunk_rows: Math.round(fit.rows / values.length) };
  if (size >= blockRows || values.length < 2) {
    return { bounds: resolveBounds(spec, values, limits), ...chunks };
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const between = Math.max(0, spread - fit.error_variance / blockRows);
  const std = Math.sqrt(between + fit.error_variance / size);
  return { bounds: spreadBounds(spec, mean, std, limits), ...chunks, scaled_to_rows: size };
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
