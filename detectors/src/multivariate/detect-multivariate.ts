import type { Store } from '@osprey/db';
import { resolveReference, type Reference, type Scope, type Target } from '../reference/resolve';
import type { ResultRow } from '../results/runs';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRows, predictionRowsOf, targetKey } from '../sql/rows';
import { isoWindow } from '../window';
import {
  FIT_FORMAT,
  fitReconstruction,
  fitReconstructionOf,
  referenceThresholds,
  type FitOutcome,
} from './fit';
import { referenceFitsOf } from '../reference/fit-store';
import type { KnownReference } from '../reference/known';
import { basisParams, batchedErrorStatisticsSql, preprocessingParams, rowErrors } from './row-sql';
import { breaches, STANDARD_DEVIATION_3, type Bounds } from './thresholds';

/** The family's name in reference_fits. */
export const FAMILY = 'multivariate_drift';

/** NannyML's SAMPLING_ERROR_RANGE: the band is value ± 3 SE. */
const BAND = 3;

export interface MultivariateDriftReport {
  window: { from: string; to: string };
  method: 'pca_reconstruction_error';
  reference: { key: string; source: Reference['source']; size: number } | null;
  features: { numeric: string[]; categorical: string[]; left_out: string[] };
  /** Kept components and the share of the reference's variance they explain. */
  components: number | null;
  explained_variance: number | null;
  current_size: number;
  /** Mean row reconstruction error of the window; null with a reason when none is computed. */
  value: number | null;
  /** std(row errors, ddof 1) / √n. */
  sampling_error: number | null;
  lower_confidence_bound: number | null;
  upper_confidence_bound: number | null;
  threshold: typeof STANDARD_DEVIATION_3 & {
    reference_chunks: number;
    chunk_rows: number;
    /** Set when the window is smaller than a block of the reference (see referenceThresholds). */
    scaled_to_rows?: number;
  };
  thresholds: Bounds;
  /** The value is outside the thresholds; null when there is no value. */
  alert: boolean | null;
  reason?: string;
}

/**
 * Multivariate drift of one window: the mean PCA reconstruction error of its rows against the
 * reference's fit (fitted once per reference and stored), computed in ClickHouse, with its
 * sampling error, band and StandardDeviation(3) thresholds from reference chunks of about the
 * window's size.
 */
export async function detectMultivariateDrift(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
): Promise<Detected> {
  return (await detectMultivariateDriftOf(store, [{ scope, settings }], [known]))[0]!;
}

type Detected = { document: MultivariateDriftReport; rows: ResultRow[]; referenceKey: string };
type Fitted = Extract<FitOutcome, { basis: unknown }>;
type Pending = { scope: Scope; report: MultivariateDriftReport; ref: Reference; fit: Fitted };
type ErrorStatistics = { n: string; mean: number; std: number };

/**
 * detectMultivariateDrift for targets of one window (a batch's whole models, or one scope of any
 * kind): the rows' reconstruction errors of every target in one statement, each model's rows
 * against its own fit. `known`: each target's reference as a batched pass looked it up (known.ts).
 */
export async function detectMultivariateDriftOf(
  store: Store,
  targets: readonly Target[],
  known: readonly (KnownReference | undefined)[] = [],
): Promise<Detected[]> {
  const refs: (Reference | undefined)[] = [];
  for (const [i, { scope, settings }] of targets.entries())
    refs.push(await resolveReference(store, settings, scope, known[i]));
  const withRefs = targets.map(({ scope }, i) => refs[i] && { scope, ref: refs[i] });
  const fits = await referenceFitsOf<FitOutcome>(store, withRefs, FAMILY, {
    fresh: (stored, count) => stored.format === FIT_FORMAT && stored.rows === count,
    fitOne: (rows, count) => fitReconstruction(store, rows, count),
    fitMany: (rows, counts) => fitReconstructionOf(store, rows, counts),
  });
  const prepared = targets.map(({ scope }, i) =>
    prepare(scope, refs[i], refs[i] && (fits[i] ?? unfitted)),
  );
  const pending = prepared.filter((p): p is Pending => 'fit' in p);
  const statistics = await errorStatistics(store, pending);
  return prepared.map((p) =>
    'fit' in p ? finish(p, statistics.get(targetKey(p.scope)) ?? { n: '0', mean: 0, std: 0 }) : p,
  );
}

/** A reference without rows. */
const unfitted: FitOutcome = {
  format: FIT_FORMAT,
  rows: 0,
  reason: 'the reference has fewer than 2 rows',
};

/** The target's pending detection with its reference's fit, or its result when there is none. */
function prepare(
  scope: Scope,
  ref: Reference | undefined,
  fit: FitOutcome | undefined,
): Detected | Pending {
  const report: MultivariateDriftReport = {
    window: isoWindow(scope.window),
    method: 'pca_reconstruction_error',
    reference: ref && fit ? { key: ref.key, source: ref.source, size: fit.rows } : null,
    features: { numeric: [], categorical: [], left_out: [] },
    components: null,
    explained_variance: null,
    current_size: 0,
    value: null,
    sampling_error: null,
    lower_confidence_bound: null,
    upper_confidence_bound: null,
    threshold: { ...STANDARD_DEVIATION_3, reference_chunks: 0, chunk_rows: 0 },
    thresholds: { lower: null, upper: null },
    alert: null,
  };
  if (!ref || !fit) return result({ ...report, reason: 'the model has no reference' }, '');
  if ('reason' in fit) return result({ ...report, reason: fit.reason }, ref.key);
  return { scope, report, ref, fit };
}

/**
 * Per model, its window's row count and the mean and sample standard deviation of its rows'
 * reconstruction errors: one model's window through rowErrors, several in one batched statement.
 */
async function errorStatistics(
  store: Store,
  pending: readonly Pending[],
): Promise<Map<string, ErrorStatistics>> {
  if (pending.length === 0) return new Map();
  if (pending.length === 1) {
    const [{ scope, fit }] = pending as [Pending];
    const cur = predictionRows('cur', { ...scope, ...scope.window });
    const [agg] = (await store.query<ErrorStatistics>(
      `SELECT count() AS n, avg(err) AS mean, stddevSampStable(err) AS std FROM (${rowErrors(fit, cur)})`,
      { ...cur.params, ...preprocessingParams(fit.preprocessing), ...basisParams(fit.basis) },
    )) as [ErrorStatistics];
    return new Map([[targetKey(scope), agg]]);
  }
  const cur = predictionRowsOf(
    'cur',
    pending.map(({ scope }) => ({ scope, ...scope.window })),
  );
  const { sql, params } = batchedErrorStatisticsSql(
    new Map(pending.map((p) => [targetKey(p.scope), p.fit])),
    cur,
  );
  const rows = await store.query<ErrorStatistics & { model: string }>(sql, params);
  return new Map(rows.map((r) => [r.model, r]));
}

function finish({ report: base, ref, fit }: Pending, agg: ErrorStatistics): Detected {
  const { preprocessing: p, basis } = fit;
  const k = basis.components.length;
  const report: MultivariateDriftReport = {
    ...base,
    features: {
      numeric: p.numeric.map((f) => f.name),
      categorical: [...p.categorical, ...p.boolean].map((f) => f.name).sort(),
      left_out: p.left_out,
    },
    components: k,
    explained_variance: basis.explained_variance_ratio.slice(0, k).reduce((a, b) => a + b, 0),
  };
  const n = Number(agg.n);
  report.current_size = n;
  if (n === 0) return result({ ...report, reason: 'no predictions in the window' }, ref.key);
  const reference = referenceThresholds(fit, n);
  const thresholds = reference.bounds;
  // One row has no spread: NannyML's std(ddof=1) is NaN there, and so is its band.
  const se = n > 1 ? agg.std / Math.sqrt(n) : null;
  return result(
    {
      ...report,
      value: agg.mean,
      sampling_error: se,
      lower_confidence_bound: se === null ? null : Math.max(0, agg.mean - BAND * se),
      upper_confidence_bound: se === null ? null : agg.mean + BAND * se,
      threshold: {
        ...report.threshold,
        reference_chunks: reference.chunks,
        chunk_rows: reference.chunk_rows,
        ...(reference.scaled_to_rows !== undefined && { scaled_to_rows: reference.scaled_to_rows }),
      },
      thresholds,
      alert: breaches(agg.mean, thresholds),
    },
    ref.key,
  );
}

function result(document: MultivariateDriftReport, referenceKey: string) {
  const rows: ResultRow[] = [
    {
      target: 'model',
      feature: '',
      kind: 'multivariate',
      statistic: 'reconstruction_error',
      value: document.value,
      threshold: document.thresholds.upper,
      is_verdict: true,
      status: document.alert === null ? 'unknown' : document.alert ? 'drift' : 'ok',
      reference_size: document.reference?.size ?? 0,
      current_size: document.current_size,
    },
  ];
  return { document, rows, referenceKey };
}
