import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { AlertTransition } from '../alerts/engine/engine';
import { detectDriftOf, type DriftReport, type FeatureDrift } from '../drift/detect-drift';
import { statisticOf } from '../drift/verdict';
import { detectErrors, detectLatency, detectThroughput } from '../operational/operational';
import { detectEstimatedPerformance } from '../estimation/detect-estimated';
import { detectPerformanceOf } from '../performance/performance';
import { detectMultivariateDriftOf } from '../multivariate/detect-multivariate';
import { detectEmbeddingDriftOf } from '../embeddings/detect-embeddings';
import { detectQualityOf } from '../quality/detect-quality';
import { knownReferencesOf, type KnownReference } from '../reference/known';
import {
  resolveReference,
  withDefaultReference,
  withDefaultReferenceOf,
  type Scope,
  type Target,
} from '../reference/resolve';
import { saveRunsOf, type DetectorName, type ResultRow, type RunToSave } from '../results/runs';
import { loadSettings, type ModelSettings } from '../settings/model-settings';
import { anyLabels } from '../sql/labels';
import { predictionRows, segmentLabel } from '../sql/rows';
import { isoWindow, type Window } from '../window';

/** Most segment values detected per tag key and window (the busiest ones). */
const MAX_SEGMENT_VALUES = 20;

export interface Detection {
  window: { from: string; to: string };
  model: string;
  version: string | null;
  segment: string | null;
  drift: DriftReport;
  latency: object;
  errors: object;
  throughput: object;
  performance: object;
  estimated_performance: object;
  multivariate_drift: object;
  quality: object;
  embedding_drift: object;
}

type WindowOptions = {
  model: string;
  window: Window;
  version?: string;
  logger?: Logger;
  /** Alert rules are evaluated on the stored results (detections of all versions only). */
  alerts?: AlertEvaluator;
};

/**
 * Runs every detector on one window of a model and stores the results (a recompute replaces
 * them), then does the same per value of each configured segment tag (unless `segments: false`:
 * the scheduler detects them after a backfill's whole-model windows, detectSegmentWindow). Answers
 * the overall detection, plus the segments' under `segments`.
 */
export async function detectWindow(
  store: Store,
  opts: WindowOptions & { segments?: boolean },
): Promise<Detection & { segments: Detection[]; alerts?: AlertTransition[] }> {
  const settings = await windowSettings(store, opts.model);
  const whole = await detectTargetsKnown(store, [{ scope: scopeOf(opts), settings }]);
  const overall = whole.detections[0]!;
  const segments =
    opts.segments === false
      ? []
      : await detectSegments(store, settings, opts, new Map([[opts.model, whole.known[0]]]));
  const detection = { ...overall, segments };
  if (!opts.alerts || opts.version !== undefined) return detection;
  return { ...detection, alerts: await opts.alerts.evaluate(detection) };
}

/**
 * The segments' half of detectWindow: every detector per value of each configured segment tag,
 * stored, and the alert rules on segments evaluated (the rules on the whole model were, by
 * detectWindow with `segments: false`).
 */
export async function detectSegmentWindow(
  store: Store,
  opts: WindowOptions,
): Promise<{ segments: Detection[]; alerts?: AlertTransition[] }> {
  const settings = await windowSettings(store, opts.model);
  const segments = await detectSegments(store, settings, opts);
  if (!opts.alerts || opts.version !== undefined || segments.length === 0) return { segments };
  // Only the segments are read when rules on the whole model are left out.
  const detection = { ...segments[0]!, segment: null, segments };
  return { segments, alerts: await opts.alerts.evaluate(detection, { segmentsOnly: true }) };
}

/**
 * detectWindow with `segments: false` for several models' windows [from, to) at once — a scheduler
 * pass's models due for the same window — with the statements of families that group by model
 * shared between them, and every model's runs stored in one insert. Alert rules are evaluated per
 * model once all are stored. `settings`: each model's, as loadSettings gives them.
 */
export async function detectModelsWindow(
  store: Store,
  opts: {
    settings: ReadonlyMap<string, ModelSettings>;
    window: Window;
    alerts?: AlertEvaluator;
  },
): Promise<Detection[]> {
  const resolved = await withDefaultReferenceOf(store, opts.settings);
  const targets = [...resolved].map(([model, settings]) => ({
    scope: { model, window: opts.window },
    settings,
  }));
  const detections = await detectTargets(store, targets);
  if (opts.alerts) {
    for (const detection of detections) await opts.alerts.evaluate({ ...detection, segments: [] });
  }
  return detections;
}

/** The model's settings with its default reference resolved once for the window's detectors. */
async function windowSettings(store: Store, model: string): Promise<ModelSettings> {
  return withDefaultReference(store, model, await loadSettings(store, model));
}

/**
 * Every value of each configured segment tag detected as a target of its own: the values of one
 * tag together, in the statements a batch of models shares (grouped by segment instead of model).
 * A version's segments are detected one by one. `wholeKnown`: the whole model's reference, when the
 * caller has just looked it up.
 */
async function detectSegments(
  store: Store,
  settings: ModelSettings,
  opts: WindowOptions,
  wholeKnown?: WholeKnown,
): Promise<Detection[]> {
  const segments: Detection[] = [];
  const detect = async (targets: readonly Target[]) =>
    (await detectTargetsKnown(store, targets, wholeKnown)).detections;
  for (const key of settings.segments) {
    const targets = (await segmentValues(store, opts, key)).map((value) => ({
      scope: { ...scopeOf(opts), segment: { key, value } },
      settings,
    }));
    if (targets.length === 0) continue;
    if (opts.version === undefined) segments.push(...(await detect(targets)));
    else for (const t of targets) segments.push(...(await detect([t])));
  }
  return segments;
}

function scopeOf(opts: WindowOptions): Scope {
  return {
    model: opts.model,
    window: opts.window,
    ...(opts.version !== undefined && { version: opts.version }),
  };
}

/** Re-evaluates the performance of each segment of a window whose predictions got labels since. */
export async function redetectSegmentPerformance(
  store: Store,
  settings: ModelSettings,
  scope: { model: string; window: Window },
): Promise<void> {
  for (const key of settings.segments) {
    const targets = (await segmentValues(store, scope, key)).map((value) => ({
      scope: { ...scope, segment: { key, value } },
      settings,
    }));
    if (targets.length === 0) continue;
    const detected = await detectPerformanceOf(store, targets);
    await saveRunsOf(
      store,
      targets.map((t, i) => ({
        scope: t.scope,
        runs: [
          {
            detector: 'performance' as const,
            referenceKey: detected[i]!.referenceKey,
            document: detected[i]!.document,
            rows: detected[i]!.rows,
          },
        ],
      })),
    );
  }
}

/** What detectWindow needs of the alert engine (detectors/src/alerts). */
export interface AlertEvaluator {
  /** `segmentsOnly`: evaluate the rules on segments only, not those on the whole model. */
  evaluate(
    detection: Detection & { segments: Detection[] },
    opts?: { segmentsOnly?: boolean },
  ): Promise<AlertTransition[]>;
}

/**
 * Every detector on targets of one window — one scope of any kind, or whole models of a batch —
 * and their runs stored together: a replica killed mid-window leaves none of them, and the replica
 * that takes the model over detects the window again in full. Families that group by model run one
 * statement for all the targets; the others run per target.
 */
export async function detectTargets(
  store: Store,
  targets: readonly Target[],
): Promise<Detection[]> {
  return (await detectTargetsKnown(store, targets)).detections;
}

/** Per whole model (by name), its reference as known.ts looks it up. */
type WholeKnown = ReadonlyMap<string, KnownReference | undefined>;

/**
 * detectTargets, answering also each target's reference as looked up (`known`, in the targets'
 * order). `wholeKnown`: the whole models' references where the caller has them already (segment
 * targets need their whole model's).
 */
async function detectTargetsKnown(
  store: Store,
  targets: readonly Target[],
  wholeKnown?: WholeKnown,
): Promise<{ detections: Detection[]; known: (KnownReference | undefined)[] }> {
  if (targets.length === 0) return { detections: [], known: [] };
  const latency = await detectLatency(store, targets);
  const errors = await detectErrors(store, targets);
  const throughput = await detectThroughput(store, targets);
  // One look-up for the batch: any of its models labelled means every label join is built.
  const labelled = await anyLabels(
    store,
    targets.map((t) => t.scope.model),
  );
  const performance = await detectPerformanceOf(store, targets, labelled);
  const refs = await Promise.all(targets.map((t) => resolveReference(store, t.settings, t.scope)));
  const known = await knownReferencesOf(store, targets, refs);
  const whole = await wholeModelsKnown(store, targets, wholeKnown);
  const drifts = await detectDriftOf(store, targets, known);
  const quality = await detectQualityOf(store, targets, known);
  const multivariate = await detectMultivariateDriftOf(store, targets, known);
  const embeddings = await detectEmbeddingDriftOf(store, targets);
  const detections: Detection[] = [];
  const runs: { scope: Scope; runs: RunToSave[] }[] = [];
  for (const [i, { scope, settings }] of targets.entries()) {
    const k = known[i];
    const drift = drifts[i]!;
    const detected: Record<Exclude<DetectorName, 'drift'>, Detected> = {
      latency: latency[i]!,
      errors: errors[i]!,
      throughput: throughput[i]!,
      performance: performance[i]!,
      estimated_performance: await detectEstimatedPerformance(
        store,
        settings,
        scope,
        k,
        scope.segment ? whole.get(scope.model) : k,
        labelled,
      ),
      multivariate_drift: multivariate[i]!,
      quality: quality[i]!,
      embedding_drift: embeddings[i]!,
    };
    runs.push({
      scope,
      runs: [
        {
          detector: 'drift',
          referenceKey: drift.reference?.key ?? '',
          document: drift,
          rows: driftRows(drift),
        },
        ...Object.entries(detected).map(([name, d]) => ({
          detector: name as DetectorName,
          referenceKey: d.referenceKey,
          document: d.document,
          rows: d.rows,
        })),
      ],
    });
    detections.push({
      window: isoWindow(scope.window),
      model: scope.model,
      version: scope.version ?? null,
      segment: scope.segment ? segmentLabel(scope.segment) : null,
      drift,
      latency: detected.latency.document,
      errors: detected.errors.document,
      throughput: detected.throughput.document,
      performance: detected.performance.document,
      estimated_performance: detected.estimated_performance.document,
      multivariate_drift: detected.multivariate_drift.document,
      quality: detected.quality.document,
      embedding_drift: detected.embedding_drift.document,
    });
  }
  await saveRunsOf(store, runs);
  return { detections, known };
}

type Detected = { document: object; rows: ResultRow[]; referenceKey: string };

/**
 * For segment targets, their whole model's reference as known.ts looks it up (DLE learns from the
 * whole model's reference, also for a segment's window): once per model, not once per segment.
 */
async function wholeModelsKnown(
  store: Store,
  targets: readonly Target[],
  given: WholeKnown = new Map(),
): Promise<WholeKnown> {
  const out = new Map(given);
  for (const { scope, settings } of targets) {
    if (!scope.segment || out.has(scope.model)) continue;
    const whole = { scope: { ...scope, segment: undefined }, settings };
    const ref = await resolveReference(store, settings, whole.scope);
    out.set(scope.model, (await knownReferencesOf(store, [whole], [ref]))[0]);
  }
  return out;
}

function driftRows(report: DriftReport): ResultRow[] {
  const rows: ResultRow[] = [];
  const add = (f: FeatureDrift, target: 'feature' | 'prediction') => {
    for (const [statistic, value] of Object.entries(f.statistics)) {
      const verdict = statistic === statisticOf(f.method);
      rows.push({
        target,
        feature: target === 'prediction' ? '' : f.feature,
        kind: f.kind,
        statistic,
        value: statistic.endsWith('_p_value') ? null : value,
        p_value: statistic.endsWith('_p_value') ? value : null,
        threshold: verdict ? f.threshold : null,
        is_verdict: verdict,
        status: verdict ? (f.drift === null ? 'unknown' : f.drift ? 'drift' : 'ok') : 'info',
        reference_size: f.reference_size,
        current_size: f.current_size,
      });
    }
  };
  for (const f of report.features) add(f, 'feature');
  if (report.prediction) add(report.prediction, 'prediction');
  if (report.reference) {
    rows.push({
      target: 'model',
      feature: '',
      kind: 'dataset',
      statistic: 'drift_share',
      value: report.drift_share,
      is_verdict: true,
      status: report.dataset_drift ? 'drift' : 'ok',
      reference_size: report.reference.size,
    });
  }
  return rows;
}

async function segmentValues(
  store: Store,
  opts: { model: string; window: Window; version?: string },
  key: string,
): Promise<string[]> {
  const rows = predictionRows('seg', { ...opts, ...opts.window });
  const values = await store.query<{ v: string }>(
    `SELECT tags[{seg_tag:String}] AS v FROM (${rows.sql}) WHERE mapContains(tags, {seg_tag:String})
     GROUP BY v ORDER BY count() DESC LIMIT ${MAX_SEGMENT_VALUES}`,
    { ...rows.params, seg_tag: key },
  );
  return values.map((r) => r.v);
}
