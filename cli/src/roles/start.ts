import { ApiKeyVerifier, parseEnv } from '@osprey/db';
import { DetectorScheduler } from '@osprey/detectors';
import {
  KafkaLiveFeed,
  PredictionTap,
  ReliableProducer,
  StoreDimensionClaims,
  createCollector,
  startIngestConsumer,
} from '@osprey/ingest';
import { createModels, startShadowRunner } from '@osprey/shadow-runner';
import { createWebHandler } from '@osprey/web/server';
import { startEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { createLocalAccess, localUrl } from '../server/local-access';
import { requestLimits } from '../server/request-limits';
import { joinAlertsAndModels, openAlerts, openSecrets } from './alerts';
import { openAuth, openKafka, openStore, processRegistry } from './common';

/**
 * `osprey start`: migrations, collector, dashboard and API in one process. Embedded (default) the
 * collector inserts itself; with KAFKA_BROKERS it produces to Kafka and the ingest consumer runs
 * here too.
 */
export async function start(opts: { demo: boolean }): Promise<void> {
  const env = parseEnv(startEnv);
  const logger = createLogger(env.LOG_LEVEL);
  const store = await openStore(env, logger);
  await openSecrets(store, env, logger);
  const registry = processRegistry();
  // Embedded, this process holds the data directory: one-shot commands come through the API.
  const local = env.CLICKHOUSE_URL ? undefined : createLocalAccess(env.OSPREY_DATA_DIR);
  const verifier = new ApiKeyVerifier(local ? local.lookup(store) : store);

  const kafka = env.KAFKA_BROKERS
    ? await openKafka({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, logger)
    : undefined;
  const producer = kafka && new ReliableProducer(kafka);
  const consumer =
    kafka &&
    producer &&
    (await startIngestConsumer({
      conn: kafka,
      store,
      producer,
      logger,
      registry,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    }));

  // Live shadow mirrors see new predictions through the collector's tap, or through Kafka.
  const tap = kafka ? undefined : new PredictionTap(logger);
  const liveFeed = kafka ? new KafkaLiveFeed(kafka, logger) : tap;
  const collector = createCollector({
    destination: producer ? { producer } : { store },
    dimensions: new StoreDimensionClaims(store),
    tap,
    verifier,
    logger,
    registry,
    config: env,
    retentionDays: env.OSPREY_RETENTION_DAYS,
  });
  const alerts = openAlerts(store, env, logger);
  const models = createModels(store, env, logger);
  joinAlertsAndModels(alerts, models, store, logger);
  const shadow =
    env.OSPREY_SHADOW_RUNNER === 'on'
      ? startShadowRunner(models, store, env, logger, liveFeed)
      : undefined;
  const auth = await openAuth(store, env, logger);
  const scheduler =
    env.OSPREY_DETECTORS === 'on'
      ? new DetectorScheduler(store, logger, {
          intervalMs: env.OSPREY_DETECTOR_INTERVAL_SECONDS * 1000,
          backfillDays: env.OSPREY_DETECTOR_BACKFILL_DAYS,
          alerts: alerts.engine,
        })
      : undefined;
  const web = await createWebHandler({
    runtime: { store, verifier, alerts, models, auth, detection: scheduler },
  });
  const server = createHttpServer({
    tls: serverTls(env),
    logger,
    registry,
    collector,
    web,
    limits: requestLimits(env),
    trustedProxies: env.OSPREY_TRUSTED_PROXIES,
    healthy: () => store.ping(),
  });
  let demo: { stop(): Promise<void> } | undefined;
  const port = await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'osprey',
    details: { transport: kafka ? 'kafka' : 'embedded' },
    beforeClose: async () => {
      local?.withdraw();
      await demo?.stop();
    },
    stop: async () => {
      await scheduler?.stop();
      await shadow?.stop();
      await alerts.stop();
      await collector.close();
      await consumer?.stop();
      await store.close();
    },
  });
  local?.publish(localUrl(env.OSPREY_HOST, port));
  alerts.start();
  if (opts.demo) {
    const { startDemo } = await import('../demo/demo');
    demo = await startDemo({
      store,
      logger,
      url: `http://127.0.0.1:${port}`,
      dataDir: env.OSPREY_DATA_DIR,
      rate: env.OSPREY_DEMO_RATE,
      models,
    });
  }
  // After the demo's seeding: the first pass then backfills the seeded day with its alert rules.
  scheduler?.start();
}
