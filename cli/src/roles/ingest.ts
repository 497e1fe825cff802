import { parseEnv } from '@osprey/db';
import { ReliableProducer, startIngestConsumer } from '@osprey/ingest';
import { ingestRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, listen } from '../server/http-server';
import { onShutdown } from '../server/shutdown';
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
  const server = createHttpServer({ logger, registry, healthy: () => store.ping() });
  const port = await listen(server, env.OSPREY_PORT, env.OSPREY_HOST);
  logger.info({ port }, 'ingest is up');
  onShutdown(
    logger,
    async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await consumer.stop();
      await producer.close();
      await store.close();
    },
    server,
  );
}
