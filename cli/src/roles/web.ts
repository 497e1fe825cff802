import { ApiKeyVerifier, parseEnv } from '@osprey/db';
import { createWebHandler } from '@osprey/web/server';
import { webRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, listen } from '../server/http-server';
import { onShutdown } from '../server/shutdown';
import { openStore, processRegistry } from './common';

/** `osprey web`: the dashboard and `/api/v1` alone, reading the configured store. */
export async function webRole(): Promise<void> {
  const env = parseEnv(webRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-web');
  const store = await openStore(env, logger);
  const registry = processRegistry();
  const web = await createWebHandler({ runtime: { store, verifier: new ApiKeyVerifier(store) } });
  const server = createHttpServer({ logger, registry, web, healthy: () => store.ping() });
  const port = await listen(server, env.OSPREY_PORT, env.OSPREY_HOST);
  logger.info({ port, backend: store.backend }, 'web is up');
  onShutdown(
    logger,
    async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
    server,
  );
}
