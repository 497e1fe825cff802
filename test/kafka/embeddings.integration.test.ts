import { predictionKind, rowLine } from '@osprey/ingest';
import { Osprey } from '@osprey/sdk';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, post } from '../support/http';
import { ensureKafka, groupLag, testKafka, uniquePrefix } from '../support/kafka';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Vectors and texts the Kafka way: SDK → `osprey collector` (two processes: the workers ask the
// primary for embedding dimensions) → Kafka → `osprey ingest` → chDB, plus records produced to the
// topic directly: contract events, rows of the collector's format with and without the trailing
// vector and text columns (rows written before #18), and a forged row refused alone.
let broker: string;
let kafka: Kafka;
let prefix: string;
let collector: OspreyProcess;
let ingest: OspreyProcess;
const kafkaEnv = () => ({
  KAFKA_BROKERS: broker,
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_TOPIC_PARTITIONS: '2',
});

beforeAll(async () => {
  broker = await ensureKafka();
  kafka = testKafka(broker);
  prefix = uniquePrefix('embeddings');
  collector = await startOsprey({
    args: ['collector'],
    env: { ...kafkaEnv(), OSPREY_COLLECTOR_PROCESSES: '2' },
  });
  ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv() });
}, 180_000);
afterAll(async () => {
  await collector?.stop();
  await ingest?.stop();
});

const model = 'kafka-embeddings';

describe('embeddings and text through Kafka', () => {
  it('stores vectors and texts once, refuses a dimension change at the collector, and keeps a forged row’s neighbours', async () => {
    const client = new Osprey({
      url: collector.url,
      apiKey: collector.apiKey,
      flushIntervalMs: 50,
    });
    for (let i = 0; i < 500; i++) {
      client.log({
        model,
        version: 'v1',
        features: { i },
        prediction: i,
        embeddings: { query: [i, 1, 2, 3] },
        ...(i % 2 ? { text: { prompt: `p${i}` } } : {}),
      });
    }
    await client.close(30_000);
    expect(client.stats()).toMatchObject({ sent: 500, rejected: 0, failed: 0 });
    // Every worker must know the first dimension, whichever process took the first request.
    for (let attempt = 0; attempt < 4; attempt++) {
      const res = await post(
        `${collector.url}/v1/predictions`,
        JSON.stringify([
          { model, version: 'v1', features: {}, prediction: 0, embeddings: { query: [1, 2] } },
        ]),
        { authorization: `Bearer ${collector.apiKey}`, 'content-type': 'application/json' },
      );
      expect(res.json).toEqual({
        accepted: 0,
        rejected: [
          {
            index: 0,
            error: `embeddings.query: expected 4 dimensions, got 2 (the dimension of model ${model}'s "query" is fixed by the first vector logged; log a new dimension under a new name)`,
          },
        ],
      });
    }

    const event = (i: number, extra: object = {}) => ({
      event_id: crypto.randomUUID(),
      timestamp: Date.now(),
      model,
      version: 'direct',
      features: { i },
      prediction: i,
      ...extra,
    });
    const rows = { 'osprey-format': 'rows/1', 'osprey-rows': '1' };
    const forged = JSON.parse(rowLine(predictionKind, event(9) as never)) as unknown[];
    forged.push({ query: ['not a number'] }, {});
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${prefix}.predictions`,
      messages: [
        // A contract event with a vector and a text, as a third-party producer writes it.
        {
          key: model,
          value: JSON.stringify(
            event(1, { embeddings: { query: [1, 0, 0, 0] }, text: { prompt: 'direct' } }),
          ),
        },
        // A row of the collector's format without the trailing columns (as before #18).
        { key: model, value: rowLine(predictionKind, event(2) as never), headers: rows },
        // The same format with them, and a forged one the store refuses alone.
        {
          key: model,
          value: rowLine(
            predictionKind,
            event(3, { embeddings: { query: [3, 0, 0, 0] } }) as never,
          ),
          headers: rows,
        },
        { key: model, value: JSON.stringify(forged), headers: rows },
      ],
    });
    await producer.disconnect();
    await eventually(
      async () => (await groupLag(broker, `${prefix}-ingest`, [`${prefix}.predictions`])) === 0,
      60_000,
      'the ingest consumer to catch up',
    );

    await ingest.stop();
    expect(
      await sqlRows(
        ingest.dataDir,
        `SELECT * FROM (
           SELECT 'predictions', version, toString(count()), '-' FROM predictions WHERE model = '${model}' GROUP BY version
           UNION ALL SELECT 'embeddings', version, toString(count()), toString(sum(vector[1]))
           FROM prediction_embeddings WHERE model = '${model}' AND length(vector) = 4 GROUP BY version
           UNION ALL SELECT 'texts', version, toString(count()), toString(uniqExact(event_id))
           FROM prediction_texts WHERE model = '${model}' GROUP BY version)
         ORDER BY 1, 2`,
      ),
    ).toEqual([
      ['embeddings', 'direct', '2', '4'],
      ['embeddings', 'v1', '500', String((499 * 500) / 2)],
      ['predictions', 'direct', '3', '-'],
      ['predictions', 'v1', '500', '-'],
      ['texts', 'direct', '1', '1'],
      ['texts', 'v1', '250', '250'],
    ]);
    ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv(), dataDir: ingest.dataDir });
  }, 240_000);
});
