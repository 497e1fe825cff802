import type { Store } from '@osprey/db';
import { insertIsolating } from '../../writer/isolate';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KafkaConnection, ReliableProducer } from '../client';
import { EVENT_KINDS, type EventKind } from '../../events/event-kinds';
import { DEADLETTER_HEADERS } from '../topics';
import { decodeRecord, type DeadRecord, type DecodedRecord } from './decode';
import { IngestLedger, type LedgerEntry } from './ledger';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics';

export interface IngestConsumerOptions {
  conn: KafkaConnection;
  store: Store;
  /** Produces dead letters. */
  producer: ReliableProducer;
  logger: Logger;
  registry: Registry;
  /** Rows per insert (and per ledger entry) at which a chunk of records is cut. */
  maxChunkRows?: number;
  /** Value bytes at which a chunk is cut; must stay below the fetch size (see the ledger replay). */
  maxChunkBytes?: number;
  sessionTimeoutMs?: number;
}

const RETRY_MAX_MS = 10_000;
// A chunk is one insert, and each insert is a part ClickHouse merges later: 50,000-row inserts cost
// a fifth less chDB CPU per row than 20,000-row ones (measured, docs/benchmarks.md).
const DEFAULT_CHUNK_ROWS = 50_000;
// An interrupted chunk is replayed from one fetch, so a chunk's bytes (uncompressed, which bounds
// what the broker returns) stay below the fetch size per partition with room for one more record.
const FETCH_BYTES_PER_PARTITION = 32 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 24 * 1024 * 1024;
// The broker answers a fetch once this much (compressed) data is there, or after the wait. Under
// load that makes inserts of ~20,000 rows instead of what arrived during the last insert (~6,000),
// which costs ingest a fifth less CPU per event (docs/benchmarks.md); idle, rows land within the
// wait.
const FETCH_MIN_BYTES = 4 * 1024 * 1024;
const FETCH_MAX_WAIT_MS = 500;

/**
 * `osprey ingest`: Kafka → ClickHouse, at least once from Kafka and exactly once into the table.
 * Each partition's records are inserted in chunks; every chunk follows the ledger protocol
 * (ledger.ts): `inserting` → insert with a range token → `done` → commit the offset. Offsets are
 * committed only after the rows are stored. If the store fails, the chunk is retried with backoff
 * while nothing is committed (the partition waits); records that cannot be decoded, or whose rows
 * ClickHouse refuses, go to the dead-letter topic with the reason and their original bytes.
 */
export async function startIngestConsumer(
  opts: IngestConsumerOptions,
): Promise<{ stop(): Promise<void> }> {
  const log = opts.logger.child({ component: 'ingest-consumer' });
  const metrics = createConsumerMetrics(opts.registry);
  const names = opts.conn.names;
  const ledger = new IngestLedger(opts.store, names.ingestGroup);
  const maxChunkRows = opts.maxChunkRows ?? DEFAULT_CHUNK_ROWS;
  const maxChunkBytes = Math.min(opts.maxChunkBytes ?? DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_BYTES);
  const consumer = opts.conn.kafka.consumer({
    groupId: names.ingestGroup,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 5)),
    // Let fetches fill up so inserts are large; a recovery replay must fit one fetch (see ledger).
    minBytes: FETCH_MIN_BYTES,
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: 64 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => ledger.forget());
  await consumer.connect();
  await consumer.subscribe({ topics: names.eventTopics, fromBeginning: true });
  const ctx: BatchContext = { ...opts, ledger, metrics, maxChunkRows, maxChunkBytes, log };
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Partitions are independent (each has its own ledger entry), so they may insert in parallel.
    partitionsConsumedConcurrently: 3,
    eachBatch: (payload) => handleBatch(payload, ctx),
  });
  log.info({ brokers: opts.conn.brokers }, 'consuming');
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}

export interface BatchContext extends IngestConsumerOptions {
  ledger: IngestLedger;
  metrics: ConsumerMetrics;
  maxChunkRows: number;
  maxChunkBytes: number;
  log: Logger;
}

/** One fetched batch of one partition; exported for the unit tests of the ledger protocol. */
export async function handleBatch(payload: EachBatchPayload, ctx: BatchContext): Promise<void> {
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
      await storeChunk(payload, ctx, decodeAll(ctx, topic, range), previous);
      messages = messages.slice(range.length);
    }
  }
  // Chunks of whole records, cut once they hold maxChunkRows rows (a record may hold many) or
  // maxChunkBytes of values.
  let chunk: Decoded[] = [];
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < messages.length && payload.isRunning() && !payload.isStale(); i++) {
    const decoded = decodeAll(ctx, topic, [messages[i]!])[0]!;
    chunk.push(decoded);
    rows += decoded.rows;
    bytes += messages[i]!.value?.length ?? 0;
    if (rows >= ctx.maxChunkRows || bytes >= ctx.maxChunkBytes || i === messages.length - 1) {
      const entry: LedgerEntry = {
        first: BigInt(chunk[0]!.message.offset),
        last: BigInt(chunk.at(-1)!.message.offset),
        state: 'inserting',
      };
      await ctx.ledger.record(topic, partition, entry);
      await storeChunk(payload, ctx, chunk, entry);
      chunk = [];
      rows = 0;
      bytes = 0;
    }
  }
  const lag = Number(batch.highWatermark) - 1 - Number(batch.lastOffset());
  ctx.metrics.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
}

type Decoded = DecodedRecord & { message: KafkaMessage };

function kindOf(ctx: BatchContext, topic: string): EventKind {
  return EVENT_KINDS.find((k) => k.name === ctx.conn.names.kindOf(topic))!;
}

function decodeAll(ctx: BatchContext, topic: string, messages: KafkaMessage[]): Decoded[] {
  const kind = kindOf(ctx, topic);
  return messages.map((message) => ({ message, ...decodeRecord(kind, message) }));
}

async function storeChunk(
  payload: EachBatchPayload,
  ctx: BatchContext,
  chunk: Decoded[],
  entry: LedgerEntry,
): Promise<void> {
  const { topic, partition } = payload.batch;
  await deadLetter(
    payload,
    ctx,
    chunk.flatMap((d) => d.dead.map((dead) => ({ message: d.message, ...dead }))),
  );
  const token = ctx.ledger.token(topic, partition, entry);
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      await insertChunk(payload, ctx, chunk, token);
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
  ctx.metrics.batchRows.observe(
    { topic },
    chunk.reduce((n, d) => n + d.rows, 0),
  );
  ctx.metrics.lastInsert.set(Date.now() / 1000);
  await ctx.ledger.record(topic, partition, { ...entry, state: 'done' });
  await commit(payload, entry.last);
}

/**
 * One insert for the whole chunk. If ClickHouse refuses its data (a forged or corrupt `rows/1`
 * record; a refused insert stores nothing), the chunk's rows are halved until the refused ones
 * stand alone (writer/isolate.ts), under tokens derived from the chunk's so a replay after a crash
 * inserts none twice; every other row is stored and only the refused rows are dead-lettered, each
 * with its record's coordinates and its index in the record. Any other failure is thrown for the
 * caller to retry.
 */
async function insertChunk(
  payload: EachBatchPayload,
  ctx: BatchContext,
  chunk: Decoded[],
  token: string,
): Promise<void> {
  const { insertTable: table, columns, trailingColumnsOptional } = kindOf(ctx, payload.batch.topic);
  const lines: string[] = [];
  const origin: { message: KafkaMessage; index: number }[] = [];
  for (const d of chunk) {
    if (d.body === undefined) continue;
    d.body
      .toString('utf8')
      .split('\n')
      .forEach((line, index) => {
        lines.push(line);
        origin.push({ message: d.message, index });
      });
  }
  const refused = await insertIsolating(lines, (part, range) =>
    ctx.store.insertJsonLines(table, Buffer.from(part.join('\n')), {
      deduplicationToken: range ? `${token}/${range}` : token,
      columns,
      trailingColumnsOptional,
    }),
  );
  if (refused.length === 0) return;
  ctx.log.warn(
    { topic: payload.batch.topic, refused: refused.length },
    'rows refused; the rest stored',
  );
  await deadLetter(
    payload,
    ctx,
    refused.map((r) => ({
      ...origin[r.index]!,
      value: Buffer.from(lines[r.index]!),
      error: `row refused: ${r.error}`,
    })),
  );
}

async function deadLetter(
  payload: EachBatchPayload,
  ctx: BatchContext,
  dead: (DeadRecord & { message: KafkaMessage })[],
): Promise<void> {
  if (dead.length === 0) return;
  const { topic, partition } = payload.batch;
  await ctx.producer.send(
    ctx.conn.names.deadletter,
    dead.map(({ message, value, error, index }) => ({
      key: message.key?.toString() ?? '',
      value,
      headers: {
        [DEADLETTER_HEADERS.reason]: error,
        [DEADLETTER_HEADERS.topic]: topic,
        [DEADLETTER_HEADERS.partition]: String(partition),
        [DEADLETTER_HEADERS.offset]: message.offset,
        ...(index === undefined ? {} : { [DEADLETTER_HEADERS.index]: String(index) }),
      },
    })),
  );
  ctx.metrics.deadlettered.inc({ topic }, dead.length);
  ctx.log.warn(
    { topic, partition, count: dead.length, first: dead[0]!.error },
    'records dead-lettered',
  );
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
