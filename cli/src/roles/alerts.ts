import { openKeyring, type SecretsEnv, type Store, type StoreEnv } from '@osprey/db';
import { createAlerts, resealChannelSecrets, type Alerts, type AlertsEnv } from '@osprey/detectors';
import { rollbackOnAlert, shadowMetricSource, type Models } from '@osprey/shadow-runner';
import type { Logger } from 'pino';
import { servesHttps, type ServerTlsEnv } from '../server/tls';

// Kept apart from common.ts so the collector and ingest roles do not load the alerting and
// model-registry workspaces (nodemailer, onnxruntime) they never use.

/**
 * The roles that read or write alert channels seal their secrets (AES-256-GCM) with
 * OSPREY_SECRET_KEY, or embedded with a key generated once into the data directory (warned at
 * every start); secrets stored before encryption are sealed now.
 */
export async function openSecrets(
  store: Store,
  env: SecretsEnv & Pick<StoreEnv, 'OSPREY_DATA_DIR' | 'CLICKHOUSE_URL'>,
  logger: Logger,
): Promise<void> {
  const opened = openKeyring(env);
  store.secrets = opened.keyring;
  const keyId = opened.keyring.currentKeyId;
  if (opened.keyFile) {
    logger.warn(
      { keyFile: opened.keyFile, keyId, generated: opened.source === 'generated' },
      'OSPREY_SECRET_KEY is not set: channel secrets are encrypted with the key in keyFile; keep a copy apart from the data (a backup holding both is not protected) or set OSPREY_SECRET_KEY',
    );
  } else {
    logger.info({ keyId }, 'channel secrets encrypted with OSPREY_SECRET_KEY');
  }
  const { resealed, unreadable } = await resealChannelSecrets(store, { plaintextOnly: true });
  if (resealed > 0)
    logger.info({ resealed }, 'channel secrets stored in plaintext are now encrypted');
  if (unreadable > 0) logger.error({ unreadable }, 'channel secrets that no configured key opens');
}

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
