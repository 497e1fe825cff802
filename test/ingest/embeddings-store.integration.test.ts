import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tables, embeddingDimensions, storeEnv, type Store } from '@osprey/db';
import { createStore } from '@osprey/db/store';
import { migrate } from '@osprey/db/migrate';
import {
  StoreDimensionClaims,
  StoreSink,
  predictionKind,
  referenceKind,
  rowLine,
  type PredictionEventInput,
} from '@osprey/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Vectors and texts in real chDB: they ride on their prediction's (or reference row's) insert
// into the landing table, whose views fill prediction_embeddings / prediction_texts (0085-0090).
let store: Store;
beforeAll(async () => {
  store = await createStore(
    storeEnv.parse({ OSPREY_DATA_DIR: mkdtempSync(join(tmpdir(), 'osprey-embeddings-')) }),
  );
  await migrate(store, { retentionDays: 90 });
});
afterAll(async () => {
  await store?.close();
});

const writerOptions = {
  maxBatchRows: 1_000,
  minIntervalMs: 1,
  maxBufferedRows: 10_000,
  insertAttempts: 1,
  retryBaseMs: 1,
};

function prediction(model: string, i: number, extra: Partial<PredictionEventInput> = {}) {
  return {
    event_id: randomUUID(),
    timestamp: Date.now() - 60_000 + i,
    model,
    version: 'v1',
    features: { i },
    prediction: i / 10,
    ...extra,
  };
}

const vectorsOf = (model: string) =>
  store.query<{ event_id: string; name: string; vector: number[]; version: string }>(
    `SELECT toString(event_id) AS event_id, name, vector, version FROM ${Tables.predictionEmbeddings}
     WHERE model = {model:String} ORDER BY timestamp, name`,
    { model },
  );
const textsOf = (model: string) =>
  store.query<{ event_id: string; name: string; text: string }>(
    `SELECT toString(event_id) AS event_id, name, text FROM ${Tables.predictionTexts}
     WHERE model = {model:String} ORDER BY timestamp, name`,
    { model },
  );

describe('vectors and texts in the store', () => {
  it('stores each vector (as float32) and text under its event, and rows without them as before', async () => {
    const model = `emb-${randomUUID().slice(0, 8)}`;
    const sink = new StoreSink(store, writerOptions);
    const events = [
      prediction(model, 0, { embeddings: { query: [0.1, -2.5, 3e38] }, text: { prompt: 'hi 👋' } }),
      prediction(model, 1),
      prediction(model, 2, { embeddings: { query: [1, 2, 3], doc: [4] } }),
      prediction(model, 3, { text: { prompt: '', answer: 'ünïcödé\n"quoted"' } }),
    ];
    expect(await sink.write(predictionKind, events as never)).toEqual([]);
    await sink.close();
    const [e0, , e2, e3] = events;
    const vectors = await vectorsOf(model);
    expect(vectors.map((v) => [v.event_id, v.name, v.version])).toEqual([
      [e0!.event_id, 'query', 'v1'],
      [e2!.event_id, 'doc', 'v1'],
      [e2!.event_id, 'query', 'v1'],
    ]);
    expect(vectors[0]!.vector.map(Math.fround)).toEqual([0.1, -2.5, 3e38].map(Math.fround));
    expect(vectors[2]!.vector).toEqual([1, 2, 3]);
    expect(await textsOf(model)).toEqual([
      { event_id: e0!.event_id, name: 'prompt', text: 'hi 👋' },
      { event_id: e3!.event_id, name: 'answer', text: 'ünïcödé\n"quoted"' },
      { event_id: e3!.event_id, name: 'prompt', text: '' },
    ]);
    const [count] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.predictions} WHERE model = {model:String}`,
      { model },
    );
    expect(Number(count!.n)).toBe(4);
    // The row of an event without vectors or texts is exactly what it was before #18.
    expect(JSON.parse(rowLine(predictionKind, events[1] as never))).toHaveLength(
      predictionKind.columns.length - 2,
    );
  });

  it('stores a retried insert once: the vectors and texts share the row insert’s token', async () => {
    const model = `emb-dedup-${randomUUID().slice(0, 8)}`;
    const lines = [0, 1, 2].map((i) =>
      rowLine(
        predictionKind,
        prediction(model, i, { embeddings: { q: [i, i] }, text: { t: `text ${i}` } }) as never,
      ),
    );
    const insert = () =>
      store.insertJsonLines(Tables.predictionsLanding, Buffer.from(lines.join('\n')), {
        deduplicationToken: `batch-${model}`,
        columns: predictionKind.columns,
        trailingColumnsOptional: true,
      });
    await insert();
    await insert();
    expect(await vectorsOf(model)).toHaveLength(3);
    expect(await textsOf(model)).toHaveLength(3);
  });

  it('refuses only the row at fault: its neighbours keep their vectors and texts', async () => {
    const model = `emb-refused-${randomUUID().slice(0, 8)}`;
    const sink = new StoreSink(store, writerOptions);
    const good = [0, 1, 2].map((i) =>
      prediction(model, i, { embeddings: { q: [i] }, text: { t: `${i}` } }),
    );
    // Past the contract (a forged row): a vector of text, which ClickHouse cannot parse.
    const forged = { ...prediction(model, 9), embeddings: { q: ['not a number'] } };
    const refused = await sink.write(predictionKind, [good[0], forged, good[1], good[2]] as never);
    await sink.close();
    expect(refused.map((r) => r.index)).toEqual([1]);
    expect((await vectorsOf(model)).map((v) => v.event_id)).toEqual(good.map((e) => e.event_id));
    expect(await textsOf(model)).toHaveLength(3);
  });

  it('stores a reference row’s vectors and texts under its reference_id', async () => {
    const model = `emb-ref-${randomUUID().slice(0, 8)}`;
    const sink = new StoreSink(store, writerOptions);
    const rows = [
      {
        model,
        version: 'v1',
        reference_id: 'r1',
        timestamp: 1,
        features: {},
        embeddings: { q: [1.5, 2] },
        text: { t: 'a b' },
      },
      { model, version: 'v1', reference_id: 'r1', timestamp: 2, features: { x: 1 } },
    ];
    expect(await sink.write(referenceKind, rows as never)).toEqual([]);
    await sink.close();
    expect(
      await store.query(
        `SELECT reference_id, name, vector FROM ${Tables.referenceEmbeddings} WHERE model = {model:String}`,
        { model },
      ),
    ).toEqual([{ reference_id: 'r1', name: 'q', vector: [1.5, 2] }]);
    expect(
      await store.query(
        `SELECT reference_id, name, text FROM ${Tables.referenceTexts} WHERE model = {model:String}`,
        { model },
      ),
    ).toEqual([{ reference_id: 'r1', name: 't', text: 'a b' }]);
    const [count] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceRows} WHERE model = {model:String}`,
      { model },
    );
    expect(Number(count!.n)).toBe(2);
  });
});

describe('embedding dimension claims', () => {
  it('fixes the first claim: later claims of another dimension get the first', async () => {
    const claims = new StoreDimensionClaims(store);
    const model = `dims-${randomUUID().slice(0, 8)}`;
    expect(await claims.claim(model, 'query', 384)).toBe(384);
    expect(await claims.claim(model, 'query', 512)).toBe(384);
    expect(await new StoreDimensionClaims(store).claim(model, 'query', 768)).toBe(384);
    expect(await claims.claim(model, 'doc', 768)).toBe(768);
    expect(await claims.claim(`${model}-other`, 'query', 16)).toBe(16);
  });

  it('gives two replicas that claim a new name at once the same answer', async () => {
    for (let round = 0; round < 5; round++) {
      const model = `dims-race-${randomUUID().slice(0, 8)}`;
      const answers = await Promise.all([
        new StoreDimensionClaims(store).claim(model, 'q', 128),
        new StoreDimensionClaims(store).claim(model, 'q', 256),
      ]);
      expect(answers[0]).toBe(answers[1]);
      expect(await new StoreDimensionClaims(store).claim(model, 'q', 64)).toBe(answers[0]);
      // What readers of the vectors filter on is the collector's answer.
      expect(await embeddingDimensions(store, model)).toEqual(new Map([['q', answers[0]]]));
    }
  });
});

describe('retention', () => {
  it('applies OSPREY_RETENTION_DAYS to the prediction embedding and text tables, not the reference ones', async () => {
    await migrate(store, { retentionDays: 30 });
    const tables = await store.query<{ name: string; ttl: string }>(
      `SELECT name, extract(create_table_query, 'toIntervalDay\\((\\d+)\\)') AS ttl
       FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}
       ORDER BY name`,
      {
        names: [
          Tables.predictions,
          Tables.predictionEmbeddings,
          Tables.predictionTexts,
          Tables.referenceEmbeddings,
          Tables.referenceTexts,
        ],
      },
    );
    expect(tables).toEqual([
      { name: Tables.predictionEmbeddings, ttl: '30' },
      { name: Tables.predictionTexts, ttl: '30' },
      { name: Tables.predictions, ttl: '30' },
      { name: Tables.referenceEmbeddings, ttl: '' },
      { name: Tables.referenceTexts, ttl: '' },
    ]);
  });
});
