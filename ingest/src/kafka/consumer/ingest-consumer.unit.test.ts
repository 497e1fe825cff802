import { StoreError, type InsertOptions, type QueryParams, type Store } from '@osprey/db';
import type { EachBatchPayload } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KafkaConnection, ReliableProducer } from '../client';
import { kafkaNames, RECORD_HEADERS, ROWS_FORMAT } from '../topics';
import { handleBatch, type BatchContext } from './ingest-consumer';
import { IngestLedger, type LedgerEntry } from './ledger';
import { createConsumerMetrics } from './metrics';

// The ledger protocol with fakes (real Kafka and chDB runs are in test/kafka): what is inserted,
// under which token, and when offsets are committed.
const names = kafkaNames('unit');
const event = (i: number) =>
  JSON.stringify({
    event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    timestamp: 1_800_000_000_000,
    model: 'm',
    version: 'v',
    features: { i },
    prediction: i,
  });

function fakeStore(failures = 0, ledgerRow?: LedgerEntry) {
  const inserts: { lines: number; token?: string }[] = [];
  const ledger: LedgerEntry[] = [];
  let toFail = failures;
  const store = {
    async query(_sql: string, _params?: QueryParams) {
      return ledgerRow
        ? [
            {
              first_offset: String(ledgerRow.first),
              last_offset: String(ledgerRow.last),
              state: ledgerRow.state,
            },
          ]
        : [];
    },
    async insert(
      _table: string,
      rows: { first_offset: string; last_offset: string; state: LedgerEntry['state'] }[],
    ) {
      for (const r of rows)
        ledger.push({ first: BigInt(r.first_offset), last: BigInt(r.last_offset), state: r.state });
    },
    async insertJsonLines(_table: string, payload: Buffer, options?: InsertOptions) {
      if (toFail-- > 0) throw new Error('clickhouse down');
      if (payload.includes('BAD')) {
        throw new StoreError(
          'Code: 41. DB::Exception: Cannot read DateTime. (CANNOT_PARSE_DATETIME)',
        );
      }
      inserts.push({
        lines: payload.length ? payload.toString().split('\n').length : 0,
        token: options?.deduplicationToken,
      });
    },
  } as unknown as Store;
  return { store, inserts, ledger };
}

type KafkaRecord = { value: Buffer; headers?: Record<string, string> };
const contractEvent = (o: number): KafkaRecord => ({ value: Buffer.from(event(o)) });

function fakePayload(offsets: number[], record: (offset: number) => KafkaRecord = contractEvent) {
  const commits: string[] = [];
  const payload = {
    batch: {
      topic: names.predictions,
      partition: 0,
      highWatermark: String(offsets.at(-1)! + 1),
      messages: offsets.map((o) => ({
        offset: String(o),
        key: Buffer.from('m'),
        ...record(o),
      })),
      lastOffset: () => String(offsets.at(-1)),
    },
    resolveOffset: () => {},
    commitOffsetsIfNecessary: async (o: { topics: { partitions: { offset: string }[] }[] }) => {
      commits.push(o.topics[0]!.partitions[0]!.offset);
    },
    heartbeat: async () => {},
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, commits };
}

const deadLetters: { value: string; headers: Record<string, string> }[] = [];

function context(store: Store, maxChunkRows = 1_000, maxChunkBytes = 1 << 20): BatchContext {
  const producer = {
    send: async (_topic: string, records: { value: Buffer; headers: Record<string, string> }[]) => {
      deadLetters.push(...records.map((r) => ({ value: r.value.toString(), headers: r.headers })));
    },
    names,
  } as unknown as ReliableProducer;
  return {
    conn: { names } as KafkaConnection,
    store,
    producer,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    ledger: new IngestLedger(store, names.ingestGroup),
    metrics: createConsumerMetrics(new Registry()),
    maxChunkRows,
    maxChunkBytes,
    log: pino({ level: 'silent' }),
  };
}

describe('the ingest consumer', () => {
  it('writes the ledger around each chunk and commits only after the insert', async () => {
    const { store, inserts, ledger } = fakeStore();
    const { payload, commits } = fakePayload([10, 11, 12, 13, 14]);
    await handleBatch(payload, context(store, 3));
    expect(inserts).toEqual([
      { lines: 3, token: 'unit-ingest/unit.predictions/0/10-12' },
      { lines: 2, token: 'unit-ingest/unit.predictions/0/13-14' },
    ]);
    expect(ledger.map((e) => `${e.state} ${e.first}-${e.last}`)).toEqual([
      'inserting 10-12',
      'done 10-12',
      'inserting 13-14',
      'done 13-14',
    ]);
    expect(commits).toEqual(['13', '15']);
  });

  it('cuts chunks by bytes too, so a replayed range always fits one fetch', async () => {
    const { store, inserts } = fakeStore();
    const { payload, commits } = fakePayload([0, 1, 2, 3]);
    const size = Buffer.byteLength(event(0));
    await handleBatch(payload, context(store, 1_000, 2 * size));
    expect(inserts).toEqual([
      { lines: 2, token: 'unit-ingest/unit.predictions/0/0-1' },
      { lines: 2, token: 'unit-ingest/unit.predictions/0/2-3' },
    ]);
    expect(commits).toEqual(['2', '4']);
  });

  it('retries a failing store with the same token and commits nothing until it succeeds', async () => {
    const { store, inserts } = fakeStore(2);
    const { payload, commits } = fakePayload([0, 1]);
    const seen: string[][] = [];
    const tracked = {
      ...payload,
      heartbeat: async () => {
        seen.push([...commits]);
      },
    } as EachBatchPayload;
    await handleBatch(tracked, context(store));
    expect(seen[0]).toEqual([]); // still nothing committed while retrying
    expect(inserts).toEqual([{ lines: 2, token: 'unit-ingest/unit.predictions/0/0-1' }]);
    expect(commits).toEqual(['2']);
  }, 20_000);

  it('after a crash mid-chunk, replays exactly that range under its token, then goes on', async () => {
    const { store, inserts } = fakeStore(0, { first: 5n, last: 7n, state: 'inserting' });
    const { payload, commits } = fakePayload([5, 6, 7, 8, 9]);
    await handleBatch(payload, context(store, 100));
    expect(inserts).toEqual([
      { lines: 3, token: 'unit-ingest/unit.predictions/0/5-7' },
      { lines: 2, token: 'unit-ingest/unit.predictions/0/8-9' },
    ]);
    expect(commits).toEqual(['8', '10']);
  });

  it('skips records a previous run stored but did not commit', async () => {
    const { store, inserts } = fakeStore(0, { first: 5n, last: 7n, state: 'done' });
    const { payload, commits } = fakePayload([5, 6, 7, 8]);
    await handleBatch(payload, context(store, 100));
    expect(inserts).toEqual([{ lines: 1, token: 'unit-ingest/unit.predictions/0/8-8' }]);
    expect(commits).toEqual(['8', '9']);
  });

  it("passes the collector's row records through and dead-letters only the rows ClickHouse refuses", async () => {
    deadLetters.length = 0;
    const { store, inserts } = fakeStore();
    const rows = (o: number): KafkaRecord => ({
      value: Buffer.from(o === 2 ? '{"row":2}\n{"timestamp":"BAD"}' : `{"row":${o}}\n{"row":${o}}`),
      headers: { [RECORD_HEADERS.format]: ROWS_FORMAT, [RECORD_HEADERS.rows]: '2' },
    });
    const { payload, commits } = fakePayload([1, 2, 3], rows);
    await handleBatch(payload, context(store, 100));
    // The chunk's 6 rows are refused together; halved until the bad row stands alone, every other
    // row is stored (the good row of record 2 too), each range under a token of its own.
    expect(inserts).toEqual([
      { lines: 3, token: 'unit-ingest/unit.predictions/0/1-3/0-3' },
      { lines: 1, token: 'unit-ingest/unit.predictions/0/1-3/4-5' },
      { lines: 1, token: 'unit-ingest/unit.predictions/0/1-3/5-6' },
    ]);
    expect(deadLetters).toEqual([
      {
        value: '{"timestamp":"BAD"}',
        headers: expect.objectContaining({
          'osprey-error': expect.stringMatching(/^row refused: .*CANNOT_PARSE_DATETIME/),
          'osprey-source-offset': '2',
          'osprey-source-index': '1',
        }),
      },
    ]);
    expect(commits).toEqual(['4']);
  });

  it('dead-letters a record in a format it does not know', async () => {
    deadLetters.length = 0;
    const { store, inserts } = fakeStore();
    const future = (): KafkaRecord => ({
      value: Buffer.from('x'),
      headers: { 'osprey-format': 'rows/9' },
    });
    const { payload } = fakePayload([0], future);
    await handleBatch(payload, context(store));
    expect(inserts).toEqual([]);
    expect(deadLetters.map((d) => d.headers['osprey-error'])).toEqual([
      'osprey-format: "rows/9" is not a format this version reads (rows/1, or none for contract events)',
    ]);
  });
});
