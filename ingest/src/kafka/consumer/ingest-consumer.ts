import type { Store } from '@osprey/db';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KafkaConnection, ReliableProducer } from '../client';
import { EVENT_KINDS } from '../../events/event-kinds';
import { DEADLETTER_HEADERS } from '../topics';
import { decodeRecord } from './decode';
import { IngestLedger, type LedgerEntry } from './ledger';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics';

export interface IngestConsumerOptions {
  conn: KafkaConnection;
  store: Store;
  /** Produces dead letters. */
  producer: ReliableProducer;
  logger: Logger;
  registry: Registry;
  /** Most records per insert (and per ledger entry). */
  maxChunk?: number;
  sessionTimeoutMs?: number;
}

const RETRY_MAX_MS = 10_000;

/**
 * `osprey ingest`: Kafka → ClickHouse, at least once from Kafka and exactly once into the table.
 * Each partition's records are inserted in chunks; every chunk follows the ledger protocol
 * (ledger.ts): `inserting` → insert with a range token → `done` → commit the offset. Offsets are
 * committed only after the rows are stored. If the store fails, the chunk is retried with backoff
 * while nothing is committed (the partition waits); records that cannot be decoded go to the
 * dead-letter topic with the reason and their original bytes.
 */
export async function startIngestConsumer(
  opts: IngestConsumerOptions,
): Promise<{ stop(): Promise<void> }> {
  const log = opts.logger.child({ component: 'ingest-consumer' });
  const metrics = createConsumerMetrics(opts.registry);
  const names = opts.conn.names;
  const ledger = new IngestLedger(opts.store, names.ingestGroup);
  const maxChunk = opts.maxChunk ?? 10_000;
  const consumer = opts.conn.kafka.consumer({
    groupId: names.ingestGroup,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 5)),
    // Let fetches fill up so inserts are large; a recovery replay must fit one fetch (see ledger).
    minBytes: 256 * 1024,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 32 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => ledger.forget());
  await consumer.connect();
  await consumer.subscribe({ topics: [names.predictions, names.labels], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: (payload) => handleBatch(payload, { ...opts, ledger, metrics, maxChunk, log }),
  });
  log.info({ brokers: opts.conn.brokers }, 'consuming');
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}

interface BatchContext extends IngestConsumerOptions {
  ledger: IngestLedger;
  metrics: ConsumerMetrics;
  maxChunk: number;
  log: Logger;
}

async function handleBatch(payload: EachBatchPayload, ctx: BatchContext): Promise<void> {
  const { batch } = payload;
  const { topic, partition } = batch;
  let messages = batch.messages;
  const previous = await ctx.ledger.entry(topic, partition);
  if (previous) {
    // Skip what a previous run already stored but had not committed yet.
    const done = previous.state === 'done' ? previous.last : previous.first - 1n;
    const skipped = messages.filter((m) => BigInt(m.offset) <= done);
    if (skipped.length > 0) {
      await commit(payload, BigInt(skipped.at(-1)!.offset));
      messages = messages.slice(skipped.length);
    }
    if (previous.state === 'inserting' && messages.length > 0) {
      // An interrupted chunk: replay exactly its range, under its own token.
      const range = messages.filter((m) => BigInt(m.offset) <= previous.last);
      if (BigInt(range.at(-1)!.offset) !== previous.last) {
        throw new Error(
          `replay of ${topic}/${partition} ${previous.first}-${previous.last} did not fit one fetch`,
        );
      }
      await storeChunk(payload, ctx, range, previous);
      messages = messages.slice(range.length);
    }
  }
  for (
    let i = 0;
    i < messages.length && payload.isRunning() && !payload.isStale();
    i += ctx.maxChunk
  ) {
    const chunk = messages.slice(i, i + ctx.maxChunk);
    const entry: LedgerEntry = {
      first: BigInt(chunk[0]!.offset),
      last: BigInt(chunk.at(-1)!.offset),
      state: 'inserting',
    };
    await ctx.ledger.record(topic, partition, entry);
    await storeChunk(payload, ctx, chunk, entry);
  }
  const lag = Number(batch.highWatermark) - 1 - Number(batch.lastOffset());
  ctx.metrics.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
}

async function storeChunk(
  payload: EachBatchPayload,
  ctx: BatchContext,
  chunk: KafkaMessage[],
  entry: LedgerEntry,
): Promise<void> {
  const { topic, partition } = payload.batch;
  const kind = EVENT_KINDS.find((k) => k.name === ctx.conn.names.kindOf(topic))!;
  const lines: string[] = [];
  const dead: { message: KafkaMessage; error: string }[] = [];
  for (const message of chunk) {
    const decoded = decodeRecord(kind, message.value);
    if (decoded.ok) lines.push(decoded.line);
    else dead.push({ message, error: decoded.error });
  }
  if (dead.length > 0) {
    await ctx.producer.send(
      ctx.conn.names.deadletter,
      dead.map(({ message, error }) => ({
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: {
          [DEADLETTER_HEADERS.reason]: error,
          [DEADLETTER_HEADERS.topic]: topic,
          [DEADLETTER_HEADERS.partition]: String(partition),
          [DEADLETTER_HEADERS.offset]: message.offset,
        },
      })),
    );
    ctx.metrics.deadlettered.inc({ topic }, dead.length);
    ctx.log.warn(
      { topic, partition, count: dead.length, first: dead[0]!.error },
      'records dead-lettered',
    );
  }
  const token = ctx.ledger.token(topic, partition, entry);
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      await ctx.store.insertJsonLines(kind.table, Buffer.from(lines.join('\n')), {
        deduplicationToken: token,
      });
      ctx.metrics.insertSeconds.observe({ topic }, (performance.now() - started) / 1000);
      break;
    } catch (err) {
      ctx.metrics.insertErrors.inc({ topic });
      if (!payload.isRunning()) throw err;
      const wait = Math.min(RETRY_MAX_MS, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
      ctx.log.error(
        { err, topic, partition, attempt, retryInMs: Math.round(wait) },
        'insert failed; retrying, nothing committed',
      );
      await payload.heartbeat();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  ctx.metrics.batchRows.observe({ topic }, lines.length);
  ctx.metrics.lastInsert.set(Date.now() / 1000);
  await ctx.ledger.record(topic, partition, { ...entry, state: 'done' });
  await commit(payload, entry.last);
}

async function commit(payload: EachBatchPayload, lastOffset: bigint): Promise<void> {
  payload.resolveOffset(lastOffset.toString());
  await payload.commitOffsetsIfNecessary({
    topics: [
      {
        topic: payload.batch.topic,
        partitions: [{ partition: payload.batch.partition, offset: (lastOffset + 1n).toString() }],
      },
    ],
  });
  await payload.heartbeat();
}
