import { Tables, type Store } from '@osprey/db';
import type { Detection } from '../../run/detect';
import { newestWindows } from '../../results/newest-windows';
import type { DetectorName } from '../../results/runs';
import { isoWindow, type Window } from '../../window';
import { FieldError } from '../errors';
import { parseDuration } from '../rules/duration';
import type { AlertRule, RuleSpec } from '../rules/schema';
import { breaches, candidates, scopeOf, type AlertScope, type Candidate } from './instance';
import { isEmbeddingMetric } from '../../embeddings/alert-metrics';
import { metricFamily, type MetricSource } from './metrics';
import { step, type InstanceState } from './transition';

/** What a rule would have done over the stored detections of a range. */
export interface RulePreview {
  from: string;
  to: string;
  /** Windows with stored detections in the range, over the models and segments the rule watches. */
  windows: number;
  /** How many times an alert instance would have started firing. */
  fired: number;
  /** The latest of those firings (at most MAX_FIRINGS), oldest first. */
  firings: Omit<AlertScope, 'fingerprint'>[];
}

const MAX_FIRINGS = 100;
/** Stored runs read at most: a week of 5-minute windows for a few segments. */
const MAX_RUNS = 20_000;

/** The stored document each metric family reads (shadow reads only the windows). */
const DETECTOR_OF: Record<string, DetectorName> = {
  drift: 'drift',
  latency: 'latency',
  error_rate: 'errors',
  throughput: 'throughput',
  performance: 'performance',
  estimated: 'estimated_performance',
  multivariate: 'multivariate_drift',
  quality: 'quality',
  shadow: 'errors',
};

/**
 * Replays a rule over one instance's candidates at a time, window after window, with the engine's
 * own step (no silences: a preview asks whether the condition would have held). Pure: answers the
 * candidates at which an instance started firing.
 */
export function replayRule(rule: AlertRule, found: readonly Candidate[]): Candidate[] {
  const states = new Map<string, InstanceState>();
  const fired: Candidate[] = [];
  const repeatMs = parseDuration(rule.repeat_interval)!;
  for (const c of [...found].sort((a, b) => a.window.from - b.window.from)) {
    const s = step(states.get(c.fingerprint), {
      window: c.window,
      value: c.value,
      breaching: breaches(rule, c.value),
      for: rule.for,
      repeatMs,
      silenced: false,
      now: c.window.to,
    });
    if (!s) continue;
    states.set(c.fingerprint, s.next);
    if (s.fired) fired.push(c);
  }
  return fired;
}

/**
 * How often `spec` would have fired over [from, to): the latest stored detection of each window
 * (all versions, as the scheduler evaluates rules), read through the same metric sources and
 * transitions as live evaluation. Nothing is written.
 */
export async function previewRule(
  store: Store,
  sources: ReadonlyMap<string, MetricSource>,
  spec: RuleSpec,
  range: Window,
): Promise<RulePreview> {
  const family = metricFamily(spec.metric);
  const source = sources.get(family);
  const detector = isEmbeddingMetric(spec.metric) ? 'embedding_drift' : DETECTOR_OF[family];
  if (!source || !detector)
    throw new FieldError('metric', `${spec.metric} cannot be evaluated in this process`);
  const rule: AlertRule = { ...spec, id: 'preview', updated_at: new Date(range.to).toISOString() };
  const found: Candidate[] = [];
  const detections = await storedDetections(store, detector, spec, range);
  for (const detection of detections) {
    const samples = await source({ store, metric: spec.metric, detection });
    found.push(...candidates(rule, detection, samples));
  }
  const fired = replayRule(rule, found);
  return {
    ...isoWindow(range),
    windows: new Set(detections.map((d) => d.window.from)).size,
    fired: fired.length,
    firings: fired.slice(-MAX_FIRINGS).map((c) => {
      const { fingerprint: _f, ...scope } = scopeOf(c);
      return scope;
    }),
  };
}

/** The latest run of each window ending in (from, to] of the rule's models and segments. */
async function storedDetections(
  store: Store,
  detector: DetectorName,
  spec: RuleSpec,
  range: Window,
): Promise<Detection[]> {
  const segment =
    spec.segment === undefined
      ? "segment = ''"
      : spec.segment === '*'
        ? "segment != ''"
        : 'segment = {segment:String}';
  const rows = await store.query<{
    model: string;
    segment: string;
    start_ms: string;
    end_ms: string;
    at: string;
    document: string;
  }>(
    `SELECT model, segment, toUnixTimestamp64Milli(window_start) AS start_ms,
            toUnixTimestamp64Milli(window_end) AS end_ms,
            toUnixTimestamp64Milli(max(computed_at)) AS at, argMax(document, computed_at) AS document
     FROM ${Tables.detectorRuns}
     WHERE detector = {detector:String} AND version = ''
       AND ({model:String} = '*' OR model = {model:String}) AND ${segment}
       AND window_end > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND window_end <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')
     GROUP BY model, segment, window_start, window_end
     ORDER BY window_start, model, segment
     LIMIT ${MAX_RUNS}`,
    {
      detector,
      model: spec.model,
      segment: spec.segment ?? '',
      from: range.from,
      to: range.to,
    },
  );
  // Overlapping stored windows of one model and segment: the most recently computed wins, as on
  // the model page (newestWindows).
  const series = new Map<string, (typeof rows)[number][]>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.segment}`;
    const runs = series.get(key);
    if (runs) runs.push(r);
    else series.set(key, [r]);
  }
  const kept = [...series.values()]
    .flatMap((runs) =>
      newestWindows(
        runs.map((r) => ({
          ...r,
          from: Number(r.start_ms),
          to: Number(r.end_ms),
          computedAt: Number(r.at),
        })),
      ),
    )
    .sort(
      (a, b) =>
        a.from - b.from || a.model.localeCompare(b.model) || a.segment.localeCompare(b.segment),
    );
  return kept.map((r) => {
    // A stored detection of one detector: the metric source reads only its family's document.
    const document = JSON.parse(r.document) as object;
    return {
      window: isoWindow({ from: Number(r.start_ms), to: Number(r.end_ms) }),
      model: r.model,
      version: null,
      segment: r.segment || null,
      ...({
        drift: {},
        latency: {},
        errors: {},
        throughput: {},
        performance: {},
        estimated_performance: {},
        multivariate_drift: {},
        quality: {},
        embedding_drift: {},
      } as Omit<Detection, 'window' | 'model' | 'version' | 'segment'>),
      [detector]: document,
    };
  });
}
