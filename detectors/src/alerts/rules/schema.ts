import { z } from 'zod';
import { parseDuration } from './duration';

export const DRIFT_STATISTICS = [
  'ks_statistic',
  'ks_p_value',
  'wasserstein_norm',
  'psi',
  'jensen_shannon',
  'hellinger',
  'chi2_statistic',
  'chi2_p_value',
  'l_infinity',
  'z_p_value',
  /** 1 when the feature's verdict is drift, else 0. */
  'verdict',
  /** Per embedding name: 1 when its verdict is drift, else 0; the verdict method's value. */
  'embedding',
  'embedding_score',
] as const;
export const LATENCY_STATISTICS = ['p50', 'p90', 'p95', 'p99', 'max'] as const;
export const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const ACTIONS = ['none', 'rollback'] as const;

const METRIC =
  /^(drift\.[a-z0-9_]+|latency\.(p50|p90|p95|p99|max)|error_rate|throughput|performance\.[a-z0-9_]+|estimated\.[a-z0-9_]+|multivariate\.(reconstruction_error|alert)|quality\.(missing_rate|unseen_rate|out_of_range_rate|type_change|constant|alert|rows_with_problems)|shadow\.disagreement)$/;
const METRIC_HELP =
  'must be drift.<statistic>, drift.dataset, drift.embedding, drift.embedding_score, latency.p50|p90|p95|p99|max, error_rate, throughput, performance.<metric>, estimated.<metric>, multivariate.reconstruction_error|alert, quality.missing_rate|unseen_rate|out_of_range_rate|type_change|constant|alert|rows_with_problems or shadow.disagreement';

const metric = z
  .string({ error: `required; ${METRIC_HELP}` })
  .regex(METRIC, METRIC_HELP)
  .refine(
    (m) =>
      !m.startsWith('drift.') ||
      m === 'drift.dataset' ||
      (DRIFT_STATISTICS as readonly string[]).includes(m.slice(6)),
    { message: `drift statistics are dataset, ${DRIFT_STATISTICS.join(', ')}` },
  );

const duration = z
  .string({ error: 'must be a duration such as "4h", "30m" or "1h30m"' })
  .refine((s) => (parseDuration(s) ?? 0) > 0, {
    message: 'must be a duration such as "4h", "30m" or "1h30m"',
  });

/** An alert rule as the API and the import file take it (docs/alerts.md). */
export const ruleInput = z.strictObject({
  name: z.string({ error: 'required, a string' }).trim().min(1, 'must not be empty').max(200),
  /** A model name, or "*" for every model. */
  model: z.string({ error: 'required: a model name or "*"' }).min(1, 'must not be empty').max(256),
  metric,
  /** A feature name ("prediction" for the prediction's drift); omitted or "*": any feature. */
  feature: z.string().min(1).max(256).optional(),
  /** "key=value" for one segment, "*" for every segment; omitted: the whole model only. */
  segment: z
    .string()
    .regex(/^(\*|[^=]+=.*)$/, 'must be key=value (e.g. region=eu) or "*"')
    .optional(),
  op: z.enum(OPS, { error: `must be one of ${OPS.join(' ')}` }),
  threshold: z.number({ error: 'required, a number' }).finite(),
  /** Consecutive breaching windows before the alert fires. */
  for: z.number({ error: 'must be a whole number of windows' }).int().min(1).max(1_000).default(1),
  severity: z
    .enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })
    .default('warning'),
  /** Channel ids notified when the alert fires and resolves. */
  channels: z
    .array(z.uuid({ error: 'must be channel ids (UUIDs)' }))
    .max(20)
    .default([]),
  repeat_interval: duration.default('4h'),
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }).default('none'),
  enabled: z.boolean().default(true),
  description: z.string().max(2_000).optional(),
});
export type RuleInput = z.input<typeof ruleInput>;
export type RuleSpec = z.infer<typeof ruleInput>;

export interface AlertRule extends RuleSpec {
  id: string;
  updated_at: string;
}

/** The export file (and import body): rules without ids travel between installations by name. */
export const ruleFile = z.strictObject({
  version: z.literal(1, { error: 'must be 1' }).default(1),
  rules: z.array(ruleInput.extend({ id: z.uuid().optional() })).max(1_000),
});
export type RuleFile = z.infer<typeof ruleFile>;
