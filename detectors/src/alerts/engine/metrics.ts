import type { Store } from '@osprey/db';
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

const drift: MetricSource = ({ metric, detection: { drift: report } }) => {
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

/** Label-free estimates (estimation/): estimated.<metric> is that metric's estimated value. */
const estimated: MetricSource = ({ metric, detection }) => {
  const name = metric.slice('estimated.'.length);
  const metrics =
    (detection.estimated_performance as { metrics?: Record<string, { value?: unknown }> })
      .metrics ?? {};
  return name in metrics ? [{ feature: null, value: num(metrics[name]!.value) }] : [];
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
