import { ensureAdmin, ensureApiKey, type AuthEnv, type Store, type StoreEnv } from '@osprey/db';
import { clusterTarget, migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { connectKafka, ensureTopics, kafkaSecurity, type KafkaEnv } from '@osprey/ingest';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** The store every role opens the same way: created, migrated, with OSPREY_API_KEY ensured. */
export async function openStore(env: StoreEnv & { OSPREY_API_KEY?: string }, logger: Logger) {
  const store = await createStore(env);
  const { applied } = await migrate(store, {
    retentionDays: env.OSPREY_RETENTION_DAYS,
    cluster: clusterTarget(env),
  });
  logger.info({ backend: store.backend, applied }, 'store ready');
  if (env.OSPREY_API_KEY) {
    await ensureApiKey(store, {
      name: 'OSPREY_API_KEY',
      key: env.OSPREY_API_KEY,
      scopes: ['ingest', 'read', 'admin'],
    });
  }
  return store;
}

type BrokersEnv = KafkaEnv & { KAFKA_BROKERS: string[] };

/** A Kafka connection from the environment (connections open lazily, on first use). */
export function connectToKafka(env: BrokersEnv, logger: Logger) {
  return connectKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    compression: env.KAFKA_COMPRESSION,
    security: kafkaSecurity(env),
    logger,
  });
}

/** Connects to Kafka and makes sure Osprey's topics exist. */
export async function openKafka(env: BrokersEnv, logger: Logger) {
  const conn = connectToKafka(env, logger);
  const created = await ensureTopics(conn, {
    partitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  });
  if (created.length > 0) logger.info({ created }, 'kafka topics created');
  return conn;
}

export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The roles that serve the dashboard: the first admin ensured, the session settings for the app. */
export async function openAuth(store: Store, env: AuthEnv, logger: Logger) {
  const created = await ensureAdmin(store, env);
  if (created) logger.info({ email: created.email }, 'first admin created from OSPREY_ADMIN_EMAIL');
  return { sessionTtlMs: env.OSPREY_SESSION_TTL_SECONDS * 1000 };
}
