import type { Store } from '@osprey/db';
import { embeddingSamples, isEmbeddingMetric } from '../../embeddings/alert-metrics';
import { quality } from '../../quality/alert-metrics';
import type { Detection } from '../../run/detect';

/** One value a rule compares: per feature for drift, else for the whole model (feature null). */
export interface MetricSample {
  feature: string | null;
  /** null: nothing to measure in the window (counts as not breaching). */
  value: number | null;
}

export interface MetricContext {
  store: Store;
  /** The full metric name, e.g. "drift.psi" or "shadow.disagreement". */
  metric: string;
  /** The detection of one scope (the whole model, or one segment) of one window. */
  detection: Detection;
}

/** Where a metric family's values come from; families are the part before the first dot. */
export type MetricSource = (ctx: MetricContext) => Promise<MetricSample[]> | MetricSample[];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const field = (doc: object, ...path: string[]): number | null =>
  num(
    path.reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      doc,
    ),
  );

const drift: MetricSource = ({ metric, detection }) => {
  if (isEmbeddingMetric(metric)) return embeddingSamples(metric, detection.embedding_drift);
  const report = detection.drift;
  const statistic = metric.slice('drift.'.length);
  if (statistic === 'dataset') {
    return [{ feature: null, value: report.reference ? report.drift_share : null }];
  }
  const features = [
    ...report.features,
    ...(report.prediction ? [{ ...report.prediction, feature: 'prediction' }] : []),
  ];
  return features.flatMap((f) => {
    if (statistic === 'verdict')
      return [{ feature: f.feature, value: f.drift === null ? null : Number(f.drift) }];
    // A statistic the feature's kind does not have (e.g. KS of a category) is no sample at all.
    return statistic in f.statistics
      ? [{ feature: f.feature, value: num(f.statistics[statistic]) }]
      : [];
  });
};

const latency: MetricSource = ({ metric, detection }) => [
  { feature: null, value: field(detection.latency, metric.slice('latency.'.length)) },
];

const performance: MetricSource = ({ metric, detection }) => {
  const name = metric.slice('performance.'.length);
  const metrics = (detection.performance as { metrics?: Record<string, unknown> }).metrics ?? {};
  return name in metrics ? [{ feature: null, value: num(metrics[name]) }] : [];
};

/** CBPE's estimate of a metric (detectors/src/estimation), e.g. estimated.roc_auc. */
const estimated: MetricSource = ({ metric, detection }) => {
  const name = metric.slice('estimated.'.length);
  const doc = detection.estimated_performance as { metrics?: Record<string, { value?: unknown }> };
  const m = doc?.metrics ?? {};
  return name in m ? [{ feature: null, value: num(m[name]!.value) }] : [];
};

/** multivariate.reconstruction_error, or multivariate.alert: 1 outside the reference's thresholds. */
const multivariate: MetricSource = ({ metric, detection }) => {
  const report = detection.multivariate_drift as { value?: unknown; alert?: unknown };
  if (metric === 'multivariate.alert')
    return [
      { feature: null, value: typeof report.alert === 'boolean' ? Number(report.alert) : null },
    ];
  return [{ feature: null, value: num(report.value) }];
};

/**
 * The built-in metric families. `shadow` has no source until the shadow runner registers one
 * (AlertEngine.registerMetricSource): until then shadow.disagreement rules are not evaluated.
 */
export function builtinSources(): Map<string, MetricSource> {
  return new Map<string, MetricSource>([
    ['drift', drift],
    ['latency', latency],
    ['performance', performance],
    ['estimated', estimated],
    ['multivariate', multivariate],
    ['quality', quality],
    [
      'error_rate',
      ({ detection }) => [{ feature: null, value: field(detection.errors, 'error_rate') }],
    ],
    [
      'throughput',
      ({ detection }) => [
        { feature: null, value: field(detection.throughput, 'per_minute', 'mean') },
      ],
    ],
  ]);
}

export function metricFamily(metric: string): string {
  return metric.split('.')[0]!;
}
