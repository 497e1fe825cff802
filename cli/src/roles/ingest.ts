import { parseEnv } from '@osprey/db';
import { ReliableProducer, startIngestConsumer } from '@osprey/ingest';
import { ingestRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { openKafka, openStore, processRegistry } from './common';

/** `osprey ingest`: the Kafka → ClickHouse consumer (group osprey-ingest), /healthz and /metrics. */
export async function ingestRole(): Promise<void> {
  const env = parseEnv(ingestRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-ingest');
  const store = await openStore(env, logger);
  const conn = await openKafka(env, logger);
  const producer = new ReliableProducer(conn);
  const registry = processRegistry();
  const consumer = await startIngestConsumer({
    conn,
    store,
    producer,
    logger,
    registry,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
  });
  const server = createHttpServer({
    logger,
    registry,
    healthy: () => store.ping(),
    tls: serverTls(env),
  });
  await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'ingest',
    stop: async () => {
      await consumer.stop();
      await producer.close();
      await store.close();
    },
  });
}
