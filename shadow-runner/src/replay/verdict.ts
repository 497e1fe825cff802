import type { ShadowAggregates } from '@osprey/db';
import type { Check, Verdict, VerdictCriteria } from './schema';

/** Promote when no check fails; a check without data (no labels, say) is reported, not counted. */
export function decide(
  task: 'regression' | 'classification',
  a: ShadowAggregates,
  latencyP95Ms: number | null,
  c: VerdictCriteria,
): Verdict {
  const checks: Check[] = [];
  const check = (
    name: string,
    value: number | null,
    threshold: number | null,
    ok: (v: number, t: number) => boolean,
  ) =>
    checks.push({
      name,
      value,
      threshold,
      pass: value === null || threshold === null ? null : ok(value, threshold),
    });

  if (task === 'classification') check('agreement', a.agreement, c.min_agreement, (v, t) => v >= t);
  else check('abs_diff_p95', a.abs_diff_p95, c.max_abs_diff_p95, (v, t) => v <= t);

  const enough = a.labelled >= c.min_labelled;
  if (task === 'regression') {
    const bound =
      enough && a.production_mae !== null
        ? a.production_mae * (1 + c.max_metric_degradation)
        : null;
    check('candidate_mae', enough ? a.candidate_mae : null, bound, (v, t) => v <= t + 1e-12);
  } else {
    const bound =
      enough && a.production_accuracy !== null
        ? a.production_accuracy - c.max_metric_degradation
        : null;
    check(
      'candidate_accuracy',
      enough ? a.candidate_accuracy : null,
      bound,
      (v, t) => v >= t - 1e-12,
    );
  }
  check('batch_latency_p95_ms', latencyP95Ms, c.max_batch_latency_p95_ms, (v, t) => v <= t);
  return { decision: checks.some((x) => x.pass === false) ? 'hold' : 'promote', checks };
}
