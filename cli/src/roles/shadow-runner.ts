import { parseEnv } from '@osprey/db';
import { KafkaLiveFeed, startModelWork, type ModelWork } from '@osprey/ingest';
import { createModels, startShadowRunner } from '@osprey/shadow-runner';
import { shadowRunnerRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { openKafka, openStore, processRegistry } from './common';

/**
 * `osprey shadow-runner`: executes the shadow runs queued through the API (by `osprey web`),
 * serving /healthz and /metrics. It needs the same OSPREY_ARTIFACT_DIR as the web role. With
 * KAFKA_BROKERS, any number of replicas share the models through the `shadow` work topic's
 * consumer group (see startModelWork, ShadowRunner); without, this one process runs every run.
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
  let work: ModelWork | undefined;
  // Until the replica joins the work group it owns no model and runs nothing.
  const share = kafka && {
    owns: (model: string) => work?.owns(model) ?? false,
    announce: async (models: readonly string[]) => work?.announce(models),
  };
  const shadow = startShadowRunner(
    createModels(store, env, logger),
    store,
    env,
    logger,
    liveFeed,
    share,
  );
  if (kafka)
    work = await startModelWork({
      conn: kafka,
      role: 'shadow',
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      logger,
      // A model's queued replays, run in the handler by the replica that owns the model.
      run: (model, checkpoint) => shadow.runner.runModel(model, checkpoint),
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
    what: 'shadow-runner',
    details: { backend: store.backend, ep: env.OSPREY_EP },
    stop: async () => {
      // The runner stops between two batches, leaving its runs to the model's next owner.
      await shadow.stop();
      await work?.stop();
      await store.close();
    },
  });
}
