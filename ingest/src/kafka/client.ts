import kafkajs, {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { explainKafkaError, type KafkaSecurity } from './security';
import { snappyCodec } from './snappy-codec';
import { kafkaNames, type KafkaNames } from './topics';

// Registered at load so that any record batch can be read, whatever this process writes with.
// (kafkajs is CommonJS and Node cannot see CompressionCodecs as a named export.)
kafkajs.CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;

export const COMPRESSIONS = {
  snappy: CompressionTypes.Snappy,
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
} as const;
export type Compression = keyof typeof COMPRESSIONS;

/**
 * The only module that knows the Kafka client library (kafkajs). Everything else uses what it
 * exports, so the library could be swapped without touching the collector or the consumer.
 */
export interface KafkaConnection {
  kafka: Kafka;
  brokers: string[];
  names: KafkaNames;
  /** How produced record batches are compressed. */
  compression: Compression;
  /** TLS and SASL settings (from kafkaSecurity), empty for plaintext. */
  security: KafkaSecurity;
}

export function connectKafka(opts: {
  brokers: string[];
  clientId: string;
  topicPrefix?: string;
  compression?: Compression;
  security?: KafkaSecurity;
  logger: Logger;
}): KafkaConnection {
  const log = opts.logger.child({ component: 'kafka' });
  const security = opts.security ?? {};
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...security,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else log.warn(rest, message);
      },
  });
  return {
    kafka,
    brokers: opts.brokers,
    names: kafkaNames(opts.topicPrefix),
    compression: opts.compression ?? 'snappy',
    security,
  };
}

/** Creates the topics Osprey uses when they are missing (idempotent). */
export async function ensureTopics(
  conn: KafkaConnection,
  opts: { partitions: number; replicationFactor: number },
): Promise<string[]> {
  const admin: Admin = conn.kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw explainKafkaError(err, conn.security) ?? err;
  }
  try {
    const existing = new Set(await admin.listTopics());
    const { eventTopics, deadletter } = conn.names;
    const missing = [...eventTopics, deadletter].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        // kafkajs's own wait retries only LEADER_NOT_AVAILABLE, while a Kafka 4 broker may still
        // answer "does not host this topic-partition" just after creating a topic: wait here.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: opts.partitions,
          replicationFactor: opts.replicationFactor,
        })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

const LEADER_WAIT_MS = 30_000;

/** Until every partition of the topics has a leader (new topics), or throws after 30 s. */
export async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (
        described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline)
      throw new Error(`no leader for the new topics ${topics.join(', ')} in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface OutgoingRecord {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Value bytes (before compression) per produce call. kafkajs puts one call's records for a partition
 * into one record batch, and a broker refuses batches above `message.max.bytes` (1 MiB by default,
 * after compression); staying under it uncompressed holds whatever the topic's settings.
 */
const MAX_SEND_BYTES = 512 * 1024;

/**
 * An idempotent producer with acks from all in-sync replicas; `send` resolves only after Kafka
 * acknowledged every record, so the collector can answer the SDK truthfully.
 */
export class ReliableProducer {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private readonly compression: CompressionTypes;
  readonly names: KafkaNames;

  constructor(conn: KafkaConnection) {
    this.names = conn.names;
    this.compression = COMPRESSIONS[conn.compression];
    this.producer = conn.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, retries: 5 },
    });
  }

  async send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    await this.connected;
    await Promise.all(
      slicesOf(records, MAX_SEND_BYTES).map((messages) =>
        this.producer.send({ topic, acks: -1, compression: this.compression, messages }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

/** Consecutive records in slices of at most `maxBytes` of values (a larger record goes alone). */
export function slicesOf(records: readonly OutgoingRecord[], maxBytes: number): OutgoingRecord[][] {
  const slices: OutgoingRecord[][] = [];
  let slice: OutgoingRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = Buffer.byteLength(r.value);
    if (slice.length > 0 && bytes + size > maxBytes) {
      slices.push(slice);
      slice = [];
      bytes = 0;
    }
    slice.push(r);
    bytes += size;
  }
  if (slice.length > 0) slices.push(slice);
  return slices;
}

export type { Consumer };
