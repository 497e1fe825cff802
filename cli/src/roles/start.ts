import { ApiKeyVerifier, ensureApiKey, parseEnv } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { createCollector } from '@osprey/ingest';
import { createWebHandler } from '@osprey/web/server';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { startEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, listen } from '../server/http-server';
import { onShutdown } from '../server/shutdown';

/** `osprey start`: migrations, collector, dashboard and API in one process on the embedded store. */
export async function start(opts: { demo: boolean }): Promise<void> {
  const env = parseEnv(startEnv);
  const logger = createLogger(env.LOG_LEVEL);
  const store = await createStore(env);
  const { applied } = await migrate(store, { retentionDays: env.OSPREY_RETENTION_DAYS });
  logger.info({ backend: store.backend, applied }, 'store ready');
  if (env.OSPREY_API_KEY) {
    await ensureApiKey(store, {
      name: 'OSPREY_API_KEY',
      key: env.OSPREY_API_KEY,
      scopes: ['ingest', 'read', 'admin'],
    });
  }

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const verifier = new ApiKeyVerifier(store);
  const collector = createCollector({
    destination: { store },
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
  logger.info({ port, url: `http://localhost:${port}` }, 'osprey is up');

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
      await store.close();
    },
    server,
  );
}
