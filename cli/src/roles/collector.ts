import cluster from 'node:cluster';
import { ApiKeyVerifier, findApiKeyByHash, parseEnv, type ApiKey } from '@osprey/db';
import {
  ReliableProducer,
  StoreDimensionClaims,
  createCollector,
  type DimensionClaims,
  type KafkaConnection,
} from '@osprey/ingest';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { z } from 'zod';
import { callPrimary } from '../cluster/calls';
import { superviseWorkers } from '../cluster/supervisor';
import { collectorRoleEnv } from '../env';
import { createLogger } from '../logger';
import { createHttpServer, serve, type MetricsSource } from '../server/http-server';
import { serverTls } from '../server/tls';
import { requestLimits } from '../server/request-limits';
import { connectToKafka, openKafka, openStore, processRegistry } from './common';

type CollectorRoleEnv = z.infer<typeof collectorRoleEnv>;

interface EmbeddingClaim {
  model: string;
  name: string;
  dimension: number;
}

/**
 * `osprey collector`: the HTTP collector alone, producing to Kafka; scale it on its own. With
 * OSPREY_COLLECTOR_PROCESSES above 1 it runs as that many processes on one port: JSON parsing and
 * validation are the collector's cost and one Node.js process uses one core. The primary owns the
 * store (migrations, API keys) and the topics; the workers ask it for keys and health.
 */
export async function collectorRole(): Promise<void> {
  const env = parseEnv(collectorRoleEnv);
  const logger = createLogger(env.LOG_LEVEL, 'osprey-collector');
  if (cluster.isWorker) {
    const registry = processRegistry();
    // Answers the primary's requests for this worker's metrics (prom-client's cluster protocol).
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
    await serveCollector(env, logger.child({ worker: cluster.worker!.id }), {
      lookup: (hash) => callPrimary<ApiKey | undefined>('apiKey', hash),
      dimensions: {
        claim: (model, name, dimension) =>
          callPrimary<number>('embeddingDimension', { model, name, dimension }),
      },
      registry,
      metrics: {
        metrics: () => callPrimary<string>('metrics'),
        contentType: registry.contentType,
      },
      healthy: () => callPrimary<boolean>('healthy'),
      kafka: connectToKafka(env, logger),
      close: async () => {},
    });
    return;
  }
  const store = await openStore(env, logger);
  const processes = env.OSPREY_COLLECTOR_PROCESSES;
  if (processes === 1) {
    const registry = processRegistry();
    await serveCollector(env, logger, {
      lookup: store,
      dimensions: new StoreDimensionClaims(store),
      registry,
      metrics: registry,
      healthy: () => store.ping(),
      kafka: await openKafka(env, logger),
      close: () => store.close(),
    });
    return;
  }
  await openKafka(env, logger);
  const dimensionClaims = new StoreDimensionClaims(store);
  await superviseWorkers({
    count: processes,
    logger,
    what: 'collector',
    methods: {
      apiKey: (hash: string) => findApiKeyByHash(store, hash),
      embeddingDimension: ({ model, name, dimension }: EmbeddingClaim) =>
        dimensionClaims.claim(model, name, dimension),
      healthy: () => store.ping(),
    },
    stop: () => store.close(),
  });
}

async function serveCollector(
  env: CollectorRoleEnv,
  logger: Logger,
  parts: {
    lookup: ConstructorParameters<typeof ApiKeyVerifier>[0];
    dimensions: DimensionClaims;
    registry: ReturnType<typeof processRegistry>;
    metrics: MetricsSource;
    healthy: () => Promise<boolean>;
    kafka: KafkaConnection;
    close: () => Promise<void>;
  },
): Promise<void> {
  const producer = new ReliableProducer(parts.kafka);
  const collector = createCollector({
    destination: { producer },
    dimensions: parts.dimensions,
    verifier: new ApiKeyVerifier(parts.lookup),
    logger,
    registry: parts.registry,
    config: env,
    retentionDays: env.OSPREY_RETENTION_DAYS,
  });
  const server = createHttpServer({
    tls: serverTls(env),
    logger,
    registry: parts.metrics,
    collector,
    limits: requestLimits(env),
    healthy: parts.healthy,
  });
  await serve({
    server,
    logger,
    port: env.OSPREY_PORT,
    host: env.OSPREY_HOST,
    what: 'collector',
    details: { brokers: env.KAFKA_BROKERS },
    stop: async () => {
      await collector.close();
      await parts.close();
    },
  });
}
