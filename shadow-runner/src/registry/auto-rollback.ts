import type { Logger } from 'pino';
import type { Deployments } from './deployments';

/**
 * What an alert engine hands its action subscribers (structurally the detectors' AlertAction:
 * the registry needs no dependency on the detectors workspace).
 */
export interface RollbackAction {
  action: string;
  model: string;
  fingerprint: string;
  value: number | null;
  window: { from: string; to: string };
  rule: { id: string; name: string; metric: string; op: string; threshold: number };
}

/**
 * The handler for `alerts.engine.onAlertAction`: a firing rule with `action: rollback` rolls its
 * model back to the previous production version. The deployment row names the alert (alert_id =
 * the alert instance's fingerprint; the reason names the rule and the breach). A change of
 * production after the firing window ended means the alert judged a version that is no longer in
 * production: nothing is rolled back then, so a late alert never undoes a fix.
 */
export function rollbackOnAlert(deployments: Deployments, logger: Pick<Logger, 'info' | 'warn'>) {
  return async (a: RollbackAction): Promise<void> => {
    if (a.action !== 'rollback') return;
    const current = await deployments.production(a.model);
    const log = { model: a.model, rule: a.rule.name, alert: a.fingerprint };
    if (!current) return logger.warn(log, 'auto-rollback: the model has no production version');
    if (Date.parse(current.changed_at) > Date.parse(a.window.to))
      return logger.info(
        { ...log, version: current.version },
        'auto-rollback skipped: production changed after the alert window',
      );
    try {
      const change = await deployments.rollback({
        model: a.model,
        reason: `alert "${a.rule.name}" fired: ${a.rule.metric} ${a.value ?? 'n/a'} ${a.rule.op} ${a.rule.threshold} in [${a.window.from}, ${a.window.to})`,
        actor: `alert-rule:${a.rule.id}`,
        alertId: a.fingerprint,
      });
      logger.info({ ...log, from: change.previous_version, to: change.version }, 'auto-rollback');
    } catch (err) {
      logger.warn({ ...log, err }, 'auto-rollback refused');
    }
  };
}
