import { ApiKeyVerifier, parseEnv } from '@osprey/db';
import { ReliableProducer, createCollector } from '@osprey/ingest';
import { collectorRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { openKafka, openStore, processRegistry } from './common';

/** `osprey collector`: the HTTP collector alone, producing to Kafka; scale it on its own. */
export async function collectorRole(): Promise<void> {
  const env = parseEnv(collectorRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-collector');
  const store = await openStore(env, logger);
  const producer = new ReliableProducer(await openKafka(env, logger));
  const registry = processRegistry();
  const collector = createCollector({
    destination: { producer },
    verifier: new ApiKeyVerifier(store),
    logger,
    registry,
    config: env,
    retentionDays: env.OSPREY_RETENTION_DAYS,
  });
  const server = createHttpServer({ logger, registry, collector, healthy: () => store.ping() });
  await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'collector',
    details: { brokers: env.KAFKA_BROKERS },
    stop: async () => {
      await collector.close();
      await store.close();
    },
  });
}
