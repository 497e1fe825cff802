import { parseEnv } from '@osprey/db';
import { KafkaLiveFeed } from '@osprey/ingest';
import { createModels, startShadowRunner } from '@osprey/shadow-runner';
import { shadowRunnerRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { openKafka, openStore, processRegistry } from './common';

/**
 * `osprey shadow-runner`: executes the shadow runs queued through the API (by `osprey web`),
 * serving /healthz and /metrics. It needs the same OSPREY_ARTIFACT_DIR as the web role.
 */
export async function shadowRunnerRole(): Promise<void> {
  const env = parseEnv(shadowRunnerRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-shadow-runner');
  const store = await openStore(env, logger);
  // With Kafka, live mirrors read the predictions topic; without, the predictions table.
  const kafka = env.KAFKA_BROKERS
    ? await openKafka({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, logger)
    : undefined;
  const liveFeed = kafka && new KafkaLiveFeed(kafka, logger);
  const shadow = startShadowRunner(createModels(store, env, logger), store, env, logger, liveFeed);
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
    what: 'shadow-runner',
    details: { backend: store.backend, ep: env.OSPREY_EP },
    stop: async () => {
      await shadow.stop();
      await store.close();
    },
  });
}
