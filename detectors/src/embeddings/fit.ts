import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import { componentSums, sampleVectors, vectorRange } from './embedding-sql';
import type { Vectors } from './vectors';

/** Stored fits of another format are refitted. */
export const FIT_FORMAT = 1;

/** What embedding drift fits once per reference and embedding name and reuses for every window. */
export interface EmbeddingFit {
  format: number;
  /** Reference rows fitted on: a reference whose count changed is refitted. */
  rows: number;
  dim: number;
  mean: number[];
  std: number[];
  lo: number[];
  hi: number[];
  /** Per component, counts in BINS equal-width bins of [lo, hi]. */
  bins: number[][];
  /** The seeded sample's rows, as little-endian float32 in base64 (the vectors' own precision). */
  sample_rows: number;
  sample: string;
}

export type EmbeddingFitOutcome = EmbeddingFit | { format: number; rows: number; reason: string };

/**
 * Three passes over the reference: its range (the bins' edges); every component's histogram,
 * mean and spread in one grouped pass; a seeded sample.
 */
export async function fitEmbedding(store: Store, rows: RowSet): Promise<EmbeddingFitOutcome> {
  const range = await vectorRange(store, rows);
  const unfit = (reason: string) => ({ format: FIT_FORMAT, rows: range.rows, reason });
  if (range.rows < 2) return unfit('the reference has fewer than 2 vectors of this embedding');
  if (range.dims[0] !== range.dims[1])
    return unfit(`the reference's vectors have ${range.dims[0]} to ${range.dims[1]} dimensions`);
  const sums = await componentSums(store, rows, range, { spread: true });
  const sample = await sampleVectors(store, rows, range.rows, range.dims[0]);
  return {
    format: FIT_FORMAT,
    rows: range.rows,
    dim: range.dims[0],
    mean: sums.mean,
    std: sums.std!,
    lo: range.lo,
    hi: range.hi,
    bins: sums.bins,
    sample_rows: sample.count,
    sample: Buffer.from(Float32Array.from(sample.data).buffer).toString('base64'),
  };
}

export function fitSample(fit: EmbeddingFit): Vectors {
  const bytes = Buffer.from(fit.sample, 'base64');
  // A copy: a small Buffer may sit in Node's pool at an offset that is not a multiple of 4.
  const floats = new Float32Array(Uint8Array.from(bytes).buffer);
  return { count: fit.sample_rows, dim: fit.dim, data: Float64Array.from(floats) };
}
