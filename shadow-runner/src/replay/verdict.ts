import type { ShadowAggregates } from '@osprey/db';
import type { Check, Verdict, VerdictCriteria } from './schema';
import type { SideBySideReport, SideBySideSkipped } from './side-by-side-report';

/**
 * Promote when no check fails; a check without data (no labels, say) is reported, not counted —
 * except a required speed-up that could not be measured, which holds. The speed-up and MAE-delta
 * checks are listed only when their criteria are set.
 */
export function decide(
  task: 'regression' | 'classification',
  a: ShadowAggregates,
  latencyP95Ms: number | null,
  c: VerdictCriteria,
  side?: SideBySideReport | SideBySideSkipped,
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
  const measured = side && !('skipped' in side) ? side : undefined;
  if (c.min_speedup != null) {
    const value = measured?.speedup ?? null;
    checks.push({
      name: 'speedup',
      value,
      threshold: c.min_speedup,
      pass: value !== null && value >= c.min_speedup,
    });
  }
  if (c.max_mae_delta != null && task === 'regression')
    check(
      'mae_delta',
      maeDelta(a, measured, c.min_labelled),
      c.max_mae_delta,
      (v, t) => v <= t + 1e-12,
    );
  return { decision: checks.some((x) => x.pass === false) ? 'hold' : 'promote', checks };
}

/** Candidate MAE − production MAE on the same labelled events (enough of them), or null. */
function maeDelta(
  a: ShadowAggregates,
  side: SideBySideReport | undefined,
  minLabelled: number,
): number | null {
  if (side) return side.labelled.events >= minLabelled ? side.labelled.mae_delta : null;
  if (a.labelled < minLabelled || a.candidate_mae === null || a.production_mae === null)
    return null;
  return a.candidate_mae - a.production_mae;
}
