import { embeddingDimension, Tables, type Store } from '@osprey/db';
import { loggedNamesOf } from '../sql/logged-names';
import { fitOfReference } from '../reference/fit-store';
import { resolveReference, type Reference, type Scope, type Target } from '../reference/resolve';
import type { ResultRow } from '../results/runs';
import type { ModelSettings } from '../settings/model-settings';
import { isoWindow } from '../window';
import {
  componentSums,
  referenceEmbeddings,
  sampleVectors,
  vectorShape,
  windowEmbeddings,
} from './embedding-sql';
import { FIT_FORMAT, fitEmbedding, fitSample, type EmbeddingFitOutcome } from './fit';
import {
  computeMethods,
  DEFAULT_METHOD,
  type EmbeddingMethod,
  type EmbeddingMethods,
  type MethodResult,
} from './methods';

/** The family's name in reference_fits. */
export const FAMILY = 'embedding_drift';

export interface EmbeddingDrift {
  name: string;
  dimension: number | null;
  reference_size: number;
  current_size: number;
  /** Rows the sample-based methods saw (mean bootstrap, MMD ≤ 1,000 of them, classifier). */
  samples: { reference: number; current: number };
  /** Every method's value, threshold and drift; null with a reason when none is computed. */
  methods: EmbeddingMethods | null;
  /** The verdict method's outcome. */
  verdict: { method: EmbeddingMethod; value: number | null; threshold: number | null };
  drift: boolean | null;
  reason?: string;
}

export interface EmbeddingDriftReport {
  window: { from: string; to: string };
  reference: ({ key: string; source: Reference['source'] } & Reference['detail']) | null;
  /** The method whose verdict is each embedding's drift (Evidently's default: the classifier). */
  method: EmbeddingMethod;
  embeddings: EmbeddingDrift[];
  reason?: string;
}

/**
 * Embedding drift of one window, per embedding name logged in it: every method computed (see
 * methods.ts), one of them the verdict. The reference's aggregates and sample are fitted once per
 * reference and name and stored (reference_fits, family embedding_drift); the window takes one
 * grouped pass for its histograms, means and tails, and one for its sample.
 */
export async function detectEmbeddingDrift(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
): Promise<Detected> {
  return (await detectEmbeddingDriftOf(store, [{ scope, settings }]))[0]!;
}

type Detected = { document: EmbeddingDriftReport; rows: ResultRow[]; referenceKey: string };

/**
 * detectEmbeddingDrift for targets of one window (a batch's whole models, or one scope): which
 * embeddings each window logged is one statement for all; each embedding is then compared alone.
 */
export async function detectEmbeddingDriftOf(
  store: Store,
  targets: readonly Target[],
): Promise<Detected[]> {
  const logged = await loggedNamesOf(
    store,
    Tables.predictionEmbeddings,
    targets.filter((t) => !t.scope.segment).map((t) => t.scope),
  );
  const out: Detected[] = [];
  for (const { scope, settings } of targets)
    out.push(await detectLogged(store, settings, scope, logged.get(scope.model) ?? []));
  return out;
}

/** `names`: the embeddings the window logged. */
async function detectLogged(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  names: readonly string[],
): Promise<Detected> {
  const method = settings.embeddings?.method ?? DEFAULT_METHOD;
  const report: EmbeddingDriftReport = {
    window: isoWindow(scope.window),
    reference: null,
    method,
    embeddings: [],
  };
  // prediction_embeddings carries no tags: a segment's vectors are not told apart.
  if (scope.segment)
    return result({ ...report, reason: 'embedding drift is per model, not per segment' }, '');
  if (names.length === 0) return result({ ...report, reason: 'no embeddings in the window' }, '');
  const ref = await resolveReference(store, settings, scope);
  if (!ref) return result({ ...report, reason: 'the model has no reference' }, '');
  report.reference = { key: ref.key, source: ref.source, ...ref.detail };
  for (const name of names)
    report.embeddings.push(await detectOne(store, scope, ref, name, method));
  return result(report, ref.key);
}

async function detectOne(
  store: Store,
  scope: Scope,
  ref: Reference,
  name: string,
  method: EmbeddingMethod,
): Promise<EmbeddingDrift> {
  const out: EmbeddingDrift = {
    name,
    dimension: null,
    reference_size: 0,
    current_size: 0,
    samples: { reference: 0, current: 0 },
    methods: null,
    verdict: { method, value: null, threshold: null },
    drift: null,
  };
  const registered = await embeddingDimension(store, scope.model, name);
  const fit = await referenceFit(store, scope, ref, name, registered);
  out.reference_size = fit.rows;
  if ('reason' in fit) return { ...out, reason: fit.reason };
  out.dimension = fit.dim;
  const rows = windowEmbeddings('cur', scope, name, registered);
  const shape = await vectorShape(store, rows);
  out.current_size = shape.rows;
  if (shape.rows < 2) return { ...out, reason: 'the window has fewer than 2 vectors' };
  if (shape.dims[0] !== fit.dim || shape.dims[1] !== fit.dim)
    return {
      ...out,
      reason: `the window's vectors have ${shape.dims[0]} to ${shape.dims[1]} dimensions, the reference's ${fit.dim}`,
    };
  const sums = await componentSums(store, rows, fit);
  const referenceSample = fitSample(fit);
  const windowSample = await sampleVectors(store, rows, shape.rows, fit.dim);
  const methods = computeMethods(fit, referenceSample, sums, windowSample);
  const verdict = methods[method];
  return {
    ...out,
    samples: { reference: referenceSample.count, current: windowSample.count },
    methods,
    verdict: { method, value: verdict.value, threshold: verdict.threshold },
    drift: verdict.drift,
  };
}

/**
 * The reference's fit for one embedding, stored or computed (and stored; fitOfReference).
 */
async function referenceFit(
  store: Store,
  scope: Scope,
  ref: Reference,
  name: string,
  dimension: number | undefined,
): Promise<EmbeddingFitOutcome> {
  const rows = referenceEmbeddings(ref, scope, name, dimension);
  const key = `${ref.key}|embedding=${name}`;
  return fitOfReference<EmbeddingFitOutcome>(store, scope.model, { ...ref, key }, FAMILY, {
    fresh: async (stored) =>
      stored.format === FIT_FORMAT && stored.rows === (await vectorShape(store, rows)).rows,
    fit: () => fitEmbedding(store, rows),
  });
}

/** One detector_results row per embedding and method; the verdict method's carries is_verdict. */
function result(document: EmbeddingDriftReport, referenceKey: string) {
  const rows: ResultRow[] = document.embeddings.flatMap((e): ResultRow[] => {
    if (!e.methods)
      return [
        {
          target: 'embedding' as const,
          feature: e.name,
          kind: 'embedding',
          statistic: e.verdict.method,
          value: null,
          is_verdict: true,
          status: 'unknown',
          reference_size: e.reference_size,
          current_size: e.current_size,
        },
      ];
    return Object.entries(e.methods).map(([statistic, m]: [string, MethodResult]) => {
      const verdict = statistic === e.verdict.method;
      return {
        target: 'embedding' as const,
        feature: e.name,
        kind: 'embedding',
        statistic,
        value: m.value,
        p_value: statistic === 'mmd' ? e.methods!.mmd.p_value : null,
        threshold: m.threshold,
        is_verdict: verdict,
        status: verdict ? (m.drift === null ? 'unknown' : m.drift ? 'drift' : 'ok') : 'info',
        reference_size: e.reference_size,
        current_size: e.current_size,
      };
    });
  });
  return { document, rows, referenceKey };
}
