import type { Store } from '@osprey/db';
import { createAlerts, type Alerts, type AlertsEnv } from '@osprey/detectors';
import { rollbackOnAlert, shadowMetricSource, type Models } from '@osprey/shadow-runner';
import type { Logger } from 'pino';
import { servesHttps, type ServerTlsEnv } from '../server/tls';

// Kept apart from common.ts so the collector and ingest roles do not load the alerting and
// model-registry workspaces (nodemailer, onnxruntime) they never use.

/** The alert engine and its delivery worker (started by the caller where deliveries are sent). */
export function openAlerts(
  store: Store,
  env: AlertsEnv & ServerTlsEnv & { OSPREY_PORT: number },
  logger: Logger,
) {
  const scheme = servesHttps(env) ? 'https' : 'http';
  return createAlerts(store, env, logger, {
    publicUrl: env.OSPREY_PUBLIC_URL ?? `${scheme}://localhost:${env.OSPREY_PORT}`,
  });
}

/**
 * Joins the alert engine and the model registry in a process that has both: rules with
 * `action: rollback` roll their model back, `shadow.disagreement` reads shadow results, and every
 * promote or rollback is sent as `deployment.changed` to the webhook channels that subscribe.
 */
export function joinAlertsAndModels(
  alerts: Alerts,
  models: Models,
  store: Store,
  logger: Logger,
): void {
  alerts.engine.onAlertAction(rollbackOnAlert(models.deployments, logger));
  alerts.engine.registerMetricSource('shadow', shadowMetricSource(store));
  models.deployments.onChange((change) => {
    alerts.notifyDeployment({ ...change }).catch((err: unknown) => {
      logger.error({ err, model: change.model }, 'deployment.changed could not be queued');
    });
  });
}
