import { parseEnv } from '@osprey/db';
import { DetectorScheduler } from '@osprey/detectors';
import { startModelWork, type ModelWork } from '@osprey/ingest';
import { createModels } from '@osprey/shadow-runner';
import { detectorsRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { joinAlertsAndModels, openAlerts, openSecrets } from './alerts';
import { connectToKafka, openStore, processRegistry } from './common';

/**
 * `osprey detectors`: the detector scheduler alone, serving /healthz and /metrics. With
 * KAFKA_BROKERS, any number of replicas share the models through a Kafka consumer group (see
 * startModelWork); without, this one process detects every model.
 */
export async function detectorsRole(): Promise<void> {
  const env = parseEnv(detectorsRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-detectors');
  const store = await openStore(env, logger);
  await openSecrets(store, env, logger);
  const alerts = openAlerts(store, env, logger);
  // Rules with `action: rollback` roll their model back from here, where they are evaluated.
  joinAlertsAndModels(alerts, createModels(store, env, logger), store, logger);
  let work: ModelWork | undefined;
  const scheduler = new DetectorScheduler(store, logger, {
    intervalMs: env.OSPREY_DETECTOR_INTERVAL_SECONDS * 1000,
    backfillDays: env.OSPREY_DETECTOR_BACKFILL_DAYS,
    alerts: alerts.engine,
    share: env.KAFKA_BROKERS && { announce: (models) => work!.announce(models) },
  });
  if (env.KAFKA_BROKERS) {
    work = await startModelWork({
      conn: connectToKafka({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, logger),
      role: 'detectors',
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      logger,
      run: (model, checkpoint) => scheduler.detectModel(model, checkpoint),
    });
    // A model's notifications go out from the replica that owns it, as its detection does.
    alerts.worker.onlyModels(work.owns);
  }
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
      await work?.stop();
      await alerts.stop();
      await store.close();
    },
  });
  scheduler.start();
  alerts.start();
}
