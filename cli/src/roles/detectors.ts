import { parseEnv } from '@osprey/db';
import { DetectorScheduler } from '@osprey/detectors';
import { createModels } from '@osprey/shadow-runner';
import { detectorsRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { joinAlertsAndModels, openAlerts, openSecrets } from './alerts';
import { openStore, processRegistry } from './common';

/** `osprey detectors`: the detector scheduler alone, serving /healthz and /metrics. */
export async function detectorsRole(): Promise<void> {
  const env = parseEnv(detectorsRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-detectors');
  const store = await openStore(env, logger);
  await openSecrets(store, env, logger);
  const alerts = openAlerts(store, env, logger);
  // Rules with `action: rollback` roll their model back from here, where they are evaluated.
  joinAlertsAndModels(alerts, createModels(store, env, logger), store, logger);
  const scheduler = new DetectorScheduler(store, logger, {
    intervalMs: env.OSPREY_DETECTOR_INTERVAL_SECONDS * 1000,
    backfillDays: env.OSPREY_DETECTOR_BACKFILL_DAYS,
    alerts: alerts.engine,
  });
  const server = createHttpServer({
    tls: serverTls(env),
    logger,
    registry: processRegistry(),
    healthy: () => store.ping(),
  });
  await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'detectors',
    details: { backend: store.backend },
    stop: async () => {
      await scheduler.stop();
      await alerts.stop();
      await store.close();
    },
  });
  scheduler.start();
  alerts.start();
}
