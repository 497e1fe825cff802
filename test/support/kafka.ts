import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { connectKafka, consumerLag, lagOf, type KafkaSecurity } from '@osprey/ingest';
import { pino } from 'pino';
import { REPO_ROOT } from './osprey-process';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'deploy', 'kafka', 'kafka.sh');

/** Starts (or finds running) the project's own broker on `port`; returns its address. */
export async function ensureKafka(port = Number(process.env.KAFKA_PORT ?? 9092)): Promise<string> {
  await run('bash', [SCRIPT, 'start'], {
    env: { ...process.env, KAFKA_PORT: String(port) },
    timeout: 180_000,
  });
  return `127.0.0.1:${port}`;
}

export interface TlsKafka {
  /** SASL_SSL (SCRAM-SHA-512/256, PLAIN) listener. */
  broker: string;
  /** SSL listener that requires a client certificate (mutual TLS). */
  mtlsBroker: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  username: string;
  password: string;
  /** The variables `osprey` needs for the SASL_SSL listener with SCRAM-SHA-512. */
  env: Record<string, string>;
}

/**
 * Starts (or finds running) the project's TLS-only broker (`KAFKA_TLS=1 deploy/kafka/kafka.sh`),
 * beside the plaintext one, with the certificates and SCRAM password its start generated.
 */
export async function ensureTlsKafka(
  port = Number(process.env.KAFKA_TLS_PORT ?? 19392),
): Promise<TlsKafka> {
  await run('bash', [SCRIPT, 'start'], {
    env: { ...process.env, KAFKA_PORT: String(port), KAFKA_TLS: '1' },
    timeout: 180_000,
  });
  const cache = join(REPO_ROOT, 'deploy', 'kafka', '.cache');
  const tls = join(REPO_ROOT, 'deploy', 'tls', '.cache');
  const broker = `127.0.0.1:${port}`;
  const password = readFileSync(join(cache, `node-${port}`, 'sasl-password'), 'utf8').trim();
  const caFile = join(tls, 'ca.pem');
  return {
    broker,
    mtlsBroker: `127.0.0.1:${port + 2}`,
    caFile,
    clientCertFile: join(tls, 'client.pem'),
    clientKeyFile: join(tls, 'client.key'),
    username: 'osprey',
    password,
    env: {
      KAFKA_BROKERS: broker,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'osprey',
      KAFKA_SASL_PASSWORD: password,
    },
  };
}

export async function stopKafka(port: number): Promise<void> {
  await run('bash', [SCRIPT, 'stop'], {
    env: { ...process.env, KAFKA_PORT: String(port) },
    timeout: 60_000,
  });
}

/** A fresh topic prefix per test: its own topics and consumer group, like a fresh tenant. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export function testKafka(broker: string, security: KafkaSecurity = {}): Kafka {
  return new Kafka({
    clientId: 'osprey-test',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    ...security,
  });
}

/** Records the group has not consumed yet, over the given topics. */
export async function groupLag(
  broker: string,
  group: string,
  topics: string[],
  security?: KafkaSecurity,
): Promise<number> {
  const conn = connectKafka({
    brokers: [broker],
    clientId: 'osprey-test',
    security,
    logger: pino({ level: 'silent' }),
  });
  return (await consumerLag(conn, group, topics)).reduce((sum, p) => sum + p.lag, 0);
}

/**
 * Waits until the group has consumed everything, polling every 20 ms on one connection, so a
 * benchmark's clock stops within a few milliseconds of the drain, not a reconnect later.
 */
export async function waitForDrain(
  broker: string,
  group: string,
  topics: string[],
  timeoutMs: number,
  security?: KafkaSecurity,
): Promise<void> {
  const admin = testKafka(broker, security).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await lagOf(admin, group, topics)).some((p) => p.lag > 0)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${group} to drain`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * One model name per partition of a `partitions`-partition topic, in kafkajs' default
 * partitioner's placement (the work topics key records by model): `stem-0`, `stem-1`, … until
 * every partition has one, so that replicas of a work group own the same number of models.
 */
export function modelsOnePerPartition(stem: string, partitions: number): string[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const model = `${stem}-${i}`;
    const p = partitioner({ topic: 'work', partitionMetadata, message: { key: model, value: '' } });
    if (!byPartition.has(p)) byPartition.set(p, model);
  }
  return [...byPartition.values()].sort();
}
