import { Tables, type QueryParams, type Store } from '@osprey/db';
import type { Reference, Scope } from '../reference/resolve';
import type { RowSet } from '../sql/rows';
import { vectorsOf, type Vectors } from './vectors';

/** Equal-width bins per component on the reference's [min, max], plus one below and one above. */
export const BINS = 168;
const SLOTS = BINS + 2;
/**
 * Rows per block of the grouped pass: ARRAY JOIN makes a row of every value, so a block of the
 * default 65,536 vectors of 384 components is 25M rows (~350 MB a thread); this bounds it.
 */
const BLOCK_ROWS = 8_192;
/** Rows sampled per side for the methods that need rows (mean bootstrap, MMD, classifier). */
export const SAMPLE_ROWS = 2_000;
/** The sample's seed: the same rows every time for the same data. */
const SAMPLE_SEED = 18;

/**
 * One embedding's vectors in the window (with their event_id and timestamp, for the embedding
 * map): prediction_embeddings of the model, name and range;
 * with `dimension` (the registered one, db embeddingDimension) only vectors of that length — a
 * replica can store a batch of another length in the rare race for the first claim.
 */
export function windowEmbeddings(
  prefix: string,
  scope: Scope,
  name: string,
  dimension?: number,
): RowSet {
  return predictionEmbeddings(prefix, scope, name, scope.window.from, scope.window.to, dimension);
}

/**
 * The reference's vectors of one embedding: the dataset's reference_embeddings, or a range of
 * predictions; of the registered `dimension` when there is one.
 */
export function referenceEmbeddings(
  ref: Reference,
  scope: Scope,
  name: string,
  dimension?: number,
): RowSet {
  if (ref.source === 'dataset') {
    return {
      sql: `SELECT timestamp, vector, vector.size0 AS dims FROM ${Tables.referenceEmbeddings}
            WHERE model = {ref_model:String} AND reference_id = {ref_id:String} AND name = {ref_name:String}
              ${dimension === undefined ? '' : 'AND vector.size0 = {ref_dim:UInt32}'}`,
      params: {
        ref_model: scope.model,
        ref_id: ref.detail.reference_id!,
        ref_name: name,
        ref_dim: dimension ?? 0,
      },
    };
  }
  const from = Date.parse(ref.detail.from!);
  const to = Date.parse(ref.detail.to!);
  return predictionEmbeddings('ref', scope, name, from, to, dimension);
}

function predictionEmbeddings(
  prefix: string,
  scope: Scope,
  name: string,
  from: number,
  to: number,
  dimension: number | undefined,
): RowSet {
  const p = (n: string) => `${prefix}_${n}`;
  const where = [
    `model = {${p('model')}:String}`,
    `name = {${p('name')}:String}`,
    `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
    `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
  ];
  const params: QueryParams = {
    [p('model')]: scope.model,
    [p('name')]: name,
    [p('from')]: from,
    [p('to')]: to,
  };
  if (scope.version !== undefined) {
    where.push(`version = {${p('version')}:String}`);
    params[p('version')] = scope.version;
  }
  if (dimension !== undefined) {
    where.push(`vector.size0 = {${p('dim')}:UInt32}`);
    params[p('dim')] = dimension;
  }
  return {
    sql: `SELECT event_id, timestamp, vector, vector.size0 AS dims FROM ${Tables.predictionEmbeddings} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/** Count, vector lengths and the per-component range of a row set. */
export interface VectorRange {
  rows: number;
  /** Smallest and largest vector length: a dimension change shows as two different numbers. */
  dims: [number, number];
  lo: number[];
  hi: number[];
}

/** The reference's first pass: count, lengths, per-component min and max (the bins' range). */
export async function vectorRange(store: Store, rows: RowSet): Promise<VectorRange> {
  const [r] = (await store.query<{
    n: string;
    dmin: number;
    dmax: number;
    lo: number[];
    hi: number[];
  }>(
    `SELECT count() AS n, min(length(vector)) AS dmin, max(length(vector)) AS dmax,
            minForEach(vector) AS lo, maxForEach(vector) AS hi
     FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; dmin: number; dmax: number; lo: number[]; hi: number[] }];
  return { rows: Number(r.n), dims: [r.dmin, r.dmax], lo: r.lo, hi: r.hi };
}

/**
 * Count and smallest / largest vector length, from the lengths alone: the row sets select
 * `vector.size0 AS dims`, which reads the arrays' sizes and not their values (0.2 s → 4 ms of CPU
 * per 100k vectors of 384).
 */
export async function vectorShape(
  store: Store,
  rows: RowSet,
): Promise<{ rows: number; dims: [number, number] }> {
  const [r] = (await store.query<{ n: string; dmin: number; dmax: number }>(
    `SELECT count() AS n, min(dims) AS dmin, max(dims) AS dmax FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; dmin: number; dmax: number }];
  return { rows: Number(r.n), dims: [r.dmin, r.dmax] };
}

/**
 * Per component, on the reference's range: counts in the BINS bins, below the min and above the
 * max; the mean; the summed distance beyond each edge (below, above); and, when asked, the
 * population standard deviation.
 */
export interface ComponentSums {
  rows: number;
  bins: number[][];
  below: number[];
  above: number[];
  mean: number[];
  below_excess: number[];
  above_excess: number[];
  std?: number[];
}

/**
 * One grouped pass for every per-component aggregate: each value becomes a slot, component ×
 * (BINS + 2) + bin (0 below the reference's min, BINS + 1 above its max: slotGrid), and each
 * slot sums count and x (and, for the reference, (x − min)²). The slot is grouped as a UInt16
 * where the slots fit (up to 385 components; a 16-bit key groups in a flat array, 2–3× faster
 * than a hashed 32-bit one). Means, tails and spread come from the slots' sums, so the
 * histograms cost no pass of their own; the reference's values are taken from the component's
 * min, which keeps Σd² − (Σd)²/n from cancelling.
 */
export async function componentSums(
  store: Store,
  rows: RowSet,
  range: Pick<VectorRange, 'lo' | 'hi'>,
  opts: { spread?: boolean } = {},
): Promise<ComponentSums> {
  const d = range.lo.length;
  const key = d * SLOTS <= 65_536 ? 'toUInt16' : 'toUInt32';
  const grid = slotGrid(range);
  // The reference sums x − min (its spread from Σd² would cancel in Σx²); the window sums x as
  // it is, which saves an array a row, and its Σ(x − min) is Σx − n·min.
  const summed = opts.spread ? 'd' : 'toFloat64(x)';
  const slots = await store.query<{ k: number; n: string; s: number; q?: number }>(
    `WITH {emb_scale:Array(Float64)} AS S, {emb_shift:Array(Float64)} AS C,
          {emb_offset:Array(UInt32)} AS O, {emb_lo:Array(Float64)} AS L
     SELECT k, count() AS n, sum(${summed}) AS s ${opts.spread ? ', sum(d * d) AS q' : ''}
     FROM (${rows.sql})
     ARRAY JOIN
       arrayMap((x, s, c, o) -> ${key}(o + least(${BINS + 1}, greatest(0, floor(x * s + c)))),
                vector, S, C, O) AS k,
       ${opts.spread ? 'arrayMap((x, l) -> toFloat64(x) - l, vector, L) AS d' : 'vector AS x'}
     GROUP BY k
     SETTINGS max_block_size = {emb_block:UInt64}`,
    {
      ...rows.params,
      emb_block: BLOCK_ROWS,
      emb_scale: grid.scale,
      emb_shift: grid.shift,
      emb_offset: range.lo.map((_, j) => j * SLOTS),
      emb_lo: opts.spread ? range.lo : [],
    },
  );
  const zeros = () => new Array<number>(d).fill(0);
  const out = {
    bins: Array.from({ length: d }, () => new Array<number>(BINS).fill(0)),
    below: zeros(),
    above: zeros(),
    below_excess: zeros(),
    above_excess: zeros(),
  };
  const sum = zeros();
  const squares = zeros();
  const counts = zeros();
  for (const { k, n, s: summedValues, q } of slots) {
    const j = Math.floor(k / SLOTS);
    const slot = k % SLOTS;
    const count = Number(n);
    const s = opts.spread ? summedValues : summedValues - count * range.lo[j]!;
    counts[j]! += count;
    sum[j]! += s;
    squares[j]! += q ?? 0;
    if (slot === 0) {
      out.below[j] = count;
      out.below_excess[j] = -s;
    } else if (slot === BINS + 1) {
      out.above[j] = count;
      out.above_excess[j] = s - count * (range.hi[j]! - range.lo[j]!);
    } else out.bins[j]![slot - 1] = count;
  }
  const rowsSeen = counts[0] ?? 0;
  const mean = sum.map((s, j) => range.lo[j]! + s / rowsSeen);
  const std = opts.spread
    ? squares.map((q, j) => Math.sqrt(Math.max(0, q / rowsSeen - (sum[j]! / rowsSeen) ** 2)))
    : undefined;
  return { rows: rowsSeen, ...out, mean, ...(std && { std }) };
}

/** A value's slot within its component: 0 below the bins, BINS + 1 above (SQL clamps to these). */
export function slotOf(x: number, scale: number, shift: number): number {
  return Math.min(BINS + 1, Math.max(0, Math.floor(x * scale + shift)));
}

/**
 * Per component, slot = ⌊x·scale + shift⌋ clamped to [0, BINS + 1]: bins 1..BINS cover [lo, hi]
 * (x − lo)·scale + 1 + δ, with δ = 1e-6 of a bin and the scale shrunk by 2δ so that lo lands in
 * bin 1 and hi in bin BINS whatever the rounding of x·scale + shift (about 1e-14 of a bin). A
 * constant component (lo = hi) puts lo mid-bin 1 and anything 1e-6 (relative) off below or
 * above. Two arrays a value instead of range checks against four: 2.5× less CPU for the slot.
 */
export function slotGrid(range: Pick<VectorRange, 'lo' | 'hi'>): {
  scale: number[];
  shift: number[];
} {
  const DELTA = 1e-6;
  const scale = range.lo.map((l, j) =>
    range.hi[j]! > l ? (BINS - 2 * DELTA) / (range.hi[j]! - l) : 1e6 / Math.max(Math.abs(l), 1),
  );
  const shift = range.lo.map((l, j) => 1 + (range.hi[j]! > l ? DELTA : 0.5) - l * scale[j]!);
  return { scale, shift };
}

/**
 * A seeded sample of at most SAMPLE_ROWS vectors: the rows with the smallest hashes (of the
 * vector's first components and length), after a cut that keeps about 1.5× the rows wanted so
 * that only those are sorted. The same data gives the same sample.
 */
export async function sampleVectors(
  store: Store,
  rows: RowSet,
  count: number,
  dim: number,
): Promise<Vectors> {
  const hash = `cityHash64(${SAMPLE_SEED}, vector[1], vector[2], vector[3], arraySum(vector))`;
  const keep = Math.min(1, (1.5 * SAMPLE_ROWS) / Math.max(count, 1) + 1e-3);
  const cut = keep >= 1 ? '' : `WHERE ${hash} <= {emb_cut:UInt64}`;
  const sampled = await store.query<{ vector: number[] }>(
    `SELECT vector FROM (${rows.sql}) ${cut} ORDER BY ${hash}, vector LIMIT ${SAMPLE_ROWS}`,
    { ...rows.params, emb_cut: (BigInt(Math.floor(keep * 2 ** 53)) * 2048n).toString() },
  );
  return vectorsOf(
    sampled.map((r) => r.vector),
    dim,
  );
}
