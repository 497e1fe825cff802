import { availableParallelism } from 'node:os';
import { alertsEnv, detectorsEnv } from '@osprey/detectors/config';
import { collectorEnv, kafkaEnv } from '@osprey/ingest';
import { API_KEY_PREFIX, authEnv, secretsEnv, storeEnv } from '@osprey/db';
import { shadowEnv } from '@osprey/shadow-runner/config';
import { z } from 'zod';
import { requestLimitsEnv } from './server/request-limits';
import { TrustedProxies } from './server/client-address';
import { serverTlsEnv } from './server/tls';

export const logEnv = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

const serverEnv = z
  .object({
    OSPREY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    OSPREY_HOST: z.string().default('0.0.0.0'),
    OSPREY_API_KEY: z
      .string()
      .startsWith(
        API_KEY_PREFIX,
        `must start with ${API_KEY_PREFIX} like every Osprey key, e.g. ${API_KEY_PREFIX}$(openssl rand -hex 24)`,
      )
      .min(20, 'must be at least 20 characters (osp_ and 16 of secret)')
      .optional(),
    /**
     * Proxies in front whose X-Forwarded-For is believed (comma-separated addresses or CIDRs);
     * without them the client address (login limits, audit log) is the socket's peer.
     */
    OSPREY_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const entries = text
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean);
        try {
          return new TrustedProxies(entries);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  })
  .extend(requestLimitsEnv.shape)
  .extend(serverTlsEnv.shape);

/** What a role that serves only /healthz and /metrics needs to listen (HTTPS included). */
const listenerEnv = serverEnv.pick({
  OSPREY_PORT: true,
  OSPREY_HOST: true,
  OSPREY_TLS_CERT: true,
  OSPREY_TLS_KEY: true,
});

/** `osprey start`: everything in one process (through Kafka when KAFKA_BROKERS is set). */
export const startEnv = storeEnv
  .extend(collectorEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(logEnv.shape)
  .extend(serverEnv.shape)
  .extend(detectorsEnv.shape)
  .extend(alertsEnv.shape)
  .extend(shadowEnv.shape)
  .extend(authEnv.shape)
  .extend(secretsEnv.shape)
  .extend({ OSPREY_DEMO_RATE: z.coerce.number().positive().default(0.5) });

export type StartEnv = z.infer<typeof startEnv>;

const requiredBrokers = kafkaEnv.extend({
  KAFKA_BROKERS: kafkaEnv.shape.KAFKA_BROKERS.unwrap(),
});

/** `osprey collector`: the HTTP collector alone, producing to Kafka (keys from the store). */
export const collectorRoleEnv = storeEnv
  .extend(collectorEnv.shape)
  .extend(requiredBrokers.shape)
  .extend(logEnv.shape)
  .extend(serverEnv.shape)
  .extend({
    // One Node.js process parses on one core; by default the collector uses them all.
    OSPREY_COLLECTOR_PROCESSES: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(availableParallelism()),
  });

/** `osprey ingest`: Kafka → store, serving /healthz and /metrics on OSPREY_PORT. */
export const ingestRoleEnv = storeEnv
  .extend(requiredBrokers.shape)
  .extend(logEnv.shape)
  .extend(listenerEnv.shape);

/** `osprey detectors`: the scheduler, serving /healthz and /metrics on OSPREY_PORT. */
export const detectorsRoleEnv = storeEnv
  .extend(secretsEnv.shape)
  .extend(detectorsEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(alertsEnv.shape)
  .extend(shadowEnv.shape)
  .extend(logEnv.shape)
  .extend(listenerEnv.shape);

/** `osprey web`: dashboard and API alone (a ClickHouse server, or a chDB directory of its own). */
export const webRoleEnv = storeEnv
  .extend(secretsEnv.shape)
  .extend(logEnv.shape)
  .extend(serverEnv.shape)
  .extend(alertsEnv.shape)
  .extend(shadowEnv.shape)
  .extend(authEnv.shape);

/** `osprey shadow-runner`: executes queued shadow runs, serving /healthz and /metrics on OSPREY_PORT. */
export const shadowRunnerRoleEnv = storeEnv
  .extend(shadowEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(logEnv.shape)
  .extend(listenerEnv.shape);

/** One-shot commands (migrate, keys, sql) need the store, logging and, for topics, Kafka. */
export const commandEnv = storeEnv
  .extend(kafkaEnv.shape)
  .extend(logEnv.shape)
  .extend(secretsEnv.shape);

/** `osprey detect` also evaluates alert rules; their notifications wait in the delivery queue. */
export const detectCommandEnv = commandEnv
  .extend(alertsEnv.shape)
  .extend(serverEnv.pick({ OSPREY_PORT: true }).shape);
