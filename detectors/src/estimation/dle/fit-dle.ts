import type { Store } from '@osprey/db';
import type { RowSet } from '../../sql/rows';
import {
  inputParams,
  nannyInputs,
  rankCategories,
  rawInputSql,
  type NannyInput,
} from './nanny-inputs';
import {
  DEFAULT_BOOSTING,
  fitEnsemble,
  type BoostingParams,
  type Ensemble,
} from './oblivious-trees';
import {
  resolveThreshold,
  STANDARD_DEVIATION_3,
  type Bounds,
  type StandardDeviationSpec,
} from '../thresholds';

/** Stored states of another format are fitted again. */
export const DLE_FORMAT = 1;
/**
 * The nannies learn from at most this many labelled reference rows (a fixed sample, by a hash of
 * the row, above it): training cost stays bounded — both nannies take about 1.5 s on 20,000 rows
 * here, linear in rows.
 */
export const MAX_TRAINING_ROWS = 50_000;
/** The reference is cut into this many chunks, as NannyML's default chunker does (n // 10 rows). */
export const REFERENCE_CHUNKS = 10;

export type DleMetric = 'mae' | 'rmse';

/** One nanny: its categorical inputs' categories in rank order (by input index), and its trees. */
export interface Nanny {
  categories: Record<number, string[]>;
  model: Ensemble;
}

/** What DLE keeps of a reference: serialisable, cached with the reference (dle-cache.ts). */
export interface DleState {
  format: number;
  /** Reference rows, labelled or not (the cache is valid while this stays the same). */
  rows: number;
  /** Rows with a numeric prediction and a numeric label. */
  labelled: number;
  /** Every label is 0 or 1: a classifier, unless the model's settings say regression. */
  binary_labels: boolean;
  trained_rows: number;
  inputs: NannyInput[];
  boosting: BoostingParams;
  /** Nannies of the absolute error (MAE) and of the squared error (RMSE); absent without labels. */
  nannies?: { mae: Nanny; rmse: Nanny };
  /** NannyML's sampling-error components: population std of |e|, and of e² with its mean. */
  sampling: { abs_std: number; sq_std: number; sq_mean: number };
  threshold: StandardDeviationSpec;
  /** Realized MAE and RMSE of each reference chunk, in timestamp order. */
  reference_chunks: { rows: number; mae: number; rmse: number }[];
  thresholds: Record<DleMetric, Bounds>;
}

const HASH =
  'cityHash64(timestamp, num_features, cat_features, bool_features, prediction_num, label_num)';
const LABELLED = 'prediction_num IS NOT NULL AND label_num IS NOT NULL';

/** The labelled reference's totals, as ClickHouse returns them (counts as strings). */
interface ReferenceTotals {
  rows: string;
  labelled: string;
  binary: string;
  abs_std: number;
  sq_std: number;
  sq_mean: number;
}

/**
 * Fits DLE on a reference whose rows carry labels (reference_rows.label_num): the sampling-error
 * components and thresholds from the realized errors, and one nanny per metric trained on
 * features + prediction → that row's loss (|e| for MAE, e² for RMSE), as NannyML does.
 */
export async function fitDle(
  store: Store,
  rows: RowSet,
  opts: {
    /** Train even when every label is 0 or 1 (the model's settings say regression). */
    regression?: boolean;
    boosting?: BoostingParams;
    threshold?: StandardDeviationSpec;
  } = {},
): Promise<DleState> {
  const boosting = opts.boosting ?? DEFAULT_BOOSTING;
  const threshold = opts.threshold ?? STANDARD_DEVIATION_3;
  const [totals] = (await store.query<ReferenceTotals>(
    `SELECT count() AS rows, countIf(${LABELLED}) AS labelled,
            countIf(${LABELLED} AND label_num IN (0, 1)) AS binary,
            stddevPopStableIf(abs(prediction_num - label_num), ${LABELLED}) AS abs_std,
            stddevPopStableIf(pow(prediction_num - label_num, 2), ${LABELLED}) AS sq_std,
            avgIf(pow(prediction_num - label_num, 2), ${LABELLED}) AS sq_mean
     FROM (${rows.sql})`,
    rows.params,
  )) as [ReferenceTotals];
  const count = Number(totals.rows);
  const labelled = Number(totals.labelled);
  const inputs = await nannyInputs(store, rows);
  const chunks = labelled > 0 ? await referenceChunks(store, rows, count) : [];
  const state: DleState = {
    format: DLE_FORMAT,
    rows: count,
    labelled,
    binary_labels: labelled > 0 && Number(totals.binary) === labelled,
    trained_rows: 0,
    inputs,
    boosting,
    sampling: { abs_std: totals.abs_std, sq_std: totals.sq_std, sq_mean: totals.sq_mean },
    threshold,
    reference_chunks: chunks,
    thresholds: {
      mae: resolveThreshold(
        threshold,
        chunks.map((c) => c.mae),
        { lower: 0 },
      ),
      rmse: resolveThreshold(
        threshold,
        chunks.map((c) => c.rmse),
        { lower: 0 },
      ),
    },
  };
  // A classifier's reference (labels all 0/1) is not trained on unless the settings say regression.
  if (labelled === 0 || (state.binary_labels && !opts.regression)) return state;
  const training = await trainingRows(store, rows, inputs);
  const error = training.prediction.map((p, i) => p - training.label[i]!);
  const abs = Float64Array.from(error, Math.abs);
  const squared = Float64Array.from(error, (e) => e * e);
  return {
    ...state,
    trained_rows: training.label.length,
    nannies: {
      mae: trainNanny(inputs, training.columns, abs, boosting),
      rmse: trainNanny(inputs, training.columns, squared, boosting),
    },
  };
}

/**
 * Realized MAE and RMSE per chunk of the reference in timestamp order: n // 10 rows a chunk (at
 * least 1), the remainder a chunk of its own — NannyML's DefaultChunker. Rows without a prediction
 * or label count toward the chunking but not the metrics, as in NannyML.
 */
async function referenceChunks(
  store: Store,
  rows: RowSet,
  count: number,
): Promise<DleState['reference_chunks']> {
  const chunks = await store.query<{ n: string; mae: number; rmse: number }>(
    `SELECT chunk, count() AS n, avg(abs(pn - ln)) AS mae, sqrt(avg(pow(pn - ln, 2))) AS rmse
     FROM (SELECT prediction_num AS pn, label_num AS ln,
                  intDiv(row_number() OVER (ORDER BY timestamp, ${HASH}) - 1, {dle_chunk:UInt64}) AS chunk
           FROM (${rows.sql}))
     WHERE pn IS NOT NULL AND ln IS NOT NULL GROUP BY chunk ORDER BY chunk`,
    { ...rows.params, dle_chunk: Math.max(1, Math.floor(count / REFERENCE_CHUNKS)) },
  );
  return chunks.map((c) => ({ rows: Number(c.n), mae: c.mae, rmse: c.rmse }));
}

interface TrainingRows {
  /** Per input: numbers (NaN when missing), or categories (null when missing). */
  columns: (Float64Array | (string | null)[])[];
  prediction: Float64Array;
  label: Float64Array;
}

async function trainingRows(
  store: Store,
  rows: RowSet,
  inputs: readonly NannyInput[],
): Promise<TrainingRows> {
  const found = await store.query<Record<string, number | string | null>>(
    `SELECT ${inputs.map((input, j) => `${rawInputSql(input, j)} AS i${j}`).join(', ')},
            assumeNotNull(prediction_num) AS pn, assumeNotNull(label_num) AS ln
     FROM (${rows.sql}) WHERE ${LABELLED}
     ORDER BY ${HASH} LIMIT ${MAX_TRAINING_ROWS}`,
    { ...rows.params, ...inputParams(inputs) },
  );
  const columns = inputs.map((input, j) =>
    input.source === 'cat'
      ? found.map((r) => (r[`i${j}`] === null ? null : String(r[`i${j}`])))
      : Float64Array.from(found, (r) => (r[`i${j}`] === null ? NaN : Number(r[`i${j}`]))),
  );
  return {
    columns,
    prediction: Float64Array.from(found, (r) => Number(r.pn)),
    label: Float64Array.from(found, (r) => Number(r.ln)),
  };
}

function trainNanny(
  inputs: readonly NannyInput[],
  columns: TrainingRows['columns'],
  loss: Float64Array,
  boosting: BoostingParams,
): Nanny {
  const categories: Record<number, string[]> = {};
  const x = inputs.map((input, j) => {
    const column = columns[j]!;
    if (column instanceof Float64Array) return column;
    const ranked = rankCategories(column, loss);
    categories[j] = ranked;
    const rank = new Map(ranked.map((c, i) => [c, i]));
    return Float64Array.from(column, (c) => (c === null ? NaN : rank.get(c)!));
  });
  return { categories, model: fitEnsemble(x, loss, boosting) };
}
