import { ApiKeyVerifier, parseEnv } from '@osprey/db';
import { ReliableProducer, createCollector, startIngestConsumer } from '@osprey/ingest';
import { createWebHandler } from '@osprey/web/server';
import { startEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, listen } from '../server/http-server';
import { onShutdown } from '../server/shutdown';
import { openKafka, openStore, processRegistry } from './common';

/**
 * `osprey start`: migrations, collector, dashboard and API in one process. Embedded (default) the
 * collector inserts itself; with KAFKA_BROKERS it produces to Kafka and the ingest consumer runs
 * here too.
 */
export async function start(opts: { demo: boolean }): Promise<void> {
  const env = parseEnv(startEnv);
  const logger = createLogger(env.LOG_LEVEL);
  const store = await openStore(env, logger);
  const registry = processRegistry();
  const verifier = new ApiKeyVerifier(store);

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

  const collector = createCollector({
    destination: producer ? { producer } : { store },
    verifier,
    logger,
    registry,
    config: env,
    retentionDays: env.OSPREY_RETENTION_DAYS,
  });
  const web = await createWebHandler({ runtime: { store, verifier } });
  const server = createHttpServer({
    logger,
    registry,
    collector,
    web,
    healthy: () => store.ping(),
  });
  const port = await listen(server, env.OSPREY_PORT, env.OSPREY_HOST);
  logger.info(
    { port, url: `http://localhost:${port}`, transport: kafka ? 'kafka' : 'embedded' },
    'osprey is up',
  );

  const demo = opts.demo
    ? await (
        await import('../demo/demo')
      ).startDemo({
        store,
        logger,
        url: `http://127.0.0.1:${port}`,
        dataDir: env.OSPREY_DATA_DIR,
        rate: env.OSPREY_DEMO_RATE,
      })
    : undefined;

  onShutdown(
    logger,
    async () => {
      await demo?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await collector.close();
      await consumer?.stop();
      await store.close();
    },
    server,
  );
}
