import { ApiKeyVerifier, parseEnv } from '@osprey/db';
import { createModels } from '@osprey/shadow-runner';
import { createWebHandler } from '@osprey/web/server';
import { webRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve } from '../server/http-server';
import { serverTls } from '../server/tls';
import { requestLimits } from '../server/request-limits';
import { joinAlertsAndModels, openAlerts, openSecrets } from './alerts';
import { openAuth, openStore, processRegistry } from './common';

/** `osprey web`: the dashboard and `/api/v1` alone, reading the configured store. */
export async function webRole(): Promise<void> {
  const env = parseEnv(webRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-web');
  const store = await openStore(env, logger);
  await openSecrets(store, env, logger);
  const registry = processRegistry();
  // Rules evaluated on POST …/detect queue their notifications; `osprey detectors` sends them.
  const alerts = openAlerts(store, env, logger);
  const models = createModels(store, env, logger);
  joinAlertsAndModels(alerts, models, store, logger);
  const web = await createWebHandler({
    runtime: {
      store,
      verifier: new ApiKeyVerifier(store),
      alerts,
      models,
      auth: await openAuth(store, env, logger),
    },
  });
  const server = createHttpServer({
    tls: serverTls(env),
    logger,
    registry,
    web,
    limits: requestLimits(env),
    trustedProxies: env.OSPREY_TRUSTED_PROXIES,
    healthy: () => store.ping(),
  });
  await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'web',
    details: { backend: store.backend },
    stop: async () => {
      await store.close();
    },
  });
}
