import { gzipSync } from 'node:zlib';
import { predictionKind, rowLine } from '@osprey/ingest';
import { Osprey } from '@osprey/sdk';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, wideEvent } from '../support/events';
import { eventually, post, postGzippedPredictions } from '../support/http';
import { ensureKafka, groupLag, testKafka, uniquePrefix } from '../support/kafka';
import { ospreyCommand, sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// SDK → `osprey collector` (Kafka mode) → Kafka → `osprey ingest` (its own chDB directory),
// against the project's real broker; each test run has its own topics and consumer group.
let broker: string;
let kafka: Kafka;
let prefix: string;
let collector: OspreyProcess;
let ingest: OspreyProcess;
const kafkaEnv = () => ({
  KAFKA_BROKERS: broker,
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_TOPIC_PARTITIONS: '3',
});

beforeAll(async () => {
  broker = await ensureKafka();
  kafka = testKafka(broker);
  prefix = uniquePrefix('pipeline');
  collector = await startOsprey({ args: ['collector'], env: kafkaEnv() });
  ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv() });
}, 180_000);
afterAll(async () => {
  await collector?.stop();
  await ingest?.stop();
});

const drained = (what: string) =>
  eventually(
    async () =>
      (await groupLag(broker, `${prefix}-ingest`, [
        `${prefix}.predictions`,
        `${prefix}.labels`,
        `${prefix}.references`,
      ])) === 0,
    60_000,
    what,
  );

describe('Kafka pipeline', () => {
  it('stores every event sent through the SDK exactly once', async () => {
    const client = new Osprey({
      url: collector.url,
      apiKey: collector.apiKey,
      flushIntervalMs: 100,
    });
    const ids = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      ids.add(
        client.log({
          model: 'kafka-e2e',
          version: 'v1',
          features: { i, c: i % 2 ? 'a' : 'b' },
          prediction: i,
          latency_ms: i % 50,
        }),
      );
    }
    client.logLabel({ model: 'kafka-e2e', label: 1, request_id: 'r-1' });
    await client.close(30_000);
    expect(client.stats()).toMatchObject({ sent: 5_001, dropped: 0, failed: 0, rejected: 0 });
    await drained('the ingest consumer to catch up');
    const status = await ospreyCommand(collector.dataDir, ['status'], {
      ...kafkaEnv(),
      OSPREY_INGEST_URL: ingest.url,
    });
    expect(status.stdout).toContain('broker: reachable (127.0.0.1:');
    expect(status.stdout).toContain(`group ${prefix}-ingest: lag 0`);
    expect(status.stdout).toMatch(new RegExp(`${prefix}\\.predictions\\t0\\t\\d+\\t\\d+\\t0`));
    expect(status.stdout).toMatch(/last insert: \d{4}-\d{2}-\d{2}T/);

    await ingest.stop();
    const [[count, unique, idsOk]] = (await sqlRows(
      ingest.dataDir,
      `SELECT count(), uniqExact(event_id), countIf(toString(event_id) IN (${[...ids]
        .slice(0, 100)
        .map((id) => `'${id}'`)
        .join(',')}))
       FROM predictions WHERE model = 'kafka-e2e'`,
    )) as [[string, string, string]];
    expect([count, unique, idsOk]).toEqual(['5000', '5000', '100']);
    expect(
      await sqlRows(ingest.dataDir, "SELECT count() FROM labels WHERE model = 'kafka-e2e'"),
    ).toEqual([['1']]);
    // The dashboard role alone reads what ingest stored.
    const web = await startOsprey({ args: ['web'], dataDir: ingest.dataDir });
    try {
      const stats = await fetch(
        `${web.url}/api/v1/models/kafka-e2e/stats?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
        { headers: { authorization: `Bearer ${web.apiKey}` } },
      );
      expect(await stats.json()).toMatchObject({ count: 5_000, errors: 0 });
    } finally {
      await web.stop();
    }
    ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv(), dataDir: ingest.dataDir });
  });

  it('takes a batch at the body limit in one request, beyond the broker default message size', async () => {
    const rand = mulberry32(7);
    const events = Array.from({ length: 8_000 }, () => ({
      ...wideEvent(rand, 'kafka-big'),
      request_id: crypto.randomUUID(),
    }));
    const body = JSON.stringify(events);
    expect(body.length).toBeGreaterThan(3_000_000); // rows alone are several MiB
    const res = await postGzippedPredictions(collector.url, collector.apiKey, gzipSync(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 8_000, rejected: [] });
    await drained('the large batch to be stored');
    await ingest.stop();
    expect(
      await sqlRows(
        ingest.dataDir,
        "SELECT count(), uniqExact(request_id) FROM predictions WHERE model = 'kafka-big'",
      ),
    ).toEqual([['8000', '8000']]);
    ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv(), dataDir: ingest.dataDir });
  });

  it('carries reference datasets through their own topic into reference_rows', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      model: 'kafka-ref',
      version: 'v1',
      reference_id: 'validation-1',
      features: { i, c: i % 2 ? 'a' : 'b' },
      prediction: i / 2,
    }));
    const res = await postGzippedPredictions(
      collector.url,
      collector.apiKey,
      gzipSync(JSON.stringify(rows)),
      '/v1/reference',
    );
    expect(await res.json()).toEqual({ accepted: 300, rejected: [] });
    await drained('the reference rows to be stored');
    await ingest.stop();
    expect(
      await sqlRows(
        ingest.dataDir,
        "SELECT count(), sum(num_features['i']), any(reference_id) FROM reference_rows WHERE model = 'kafka-ref'",
      ),
    ).toEqual([['300', String((299 * 300) / 2), 'validation-1']]);
    ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv(), dataDir: ingest.dataDir });
  });

  it('sends garbage, schema-invalid and refused row records to the dead-letter topic and stores the good ones around them', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const good = (i: number) =>
      JSON.stringify({
        event_id: crypto.randomUUID(),
        timestamp: Date.now(),
        model: 'poison',
        version: 'v1',
        features: { i },
        prediction: i,
      });
    await producer.send({
      topic: `${prefix}.predictions`,
      messages: [
        { key: 'poison', value: good(1) },
        { key: 'poison', value: Buffer.from([0xff, 0x00, 0xfe, 0x13]) },
        {
          key: 'poison',
          value: JSON.stringify({
            model: 'poison',
            version: 'v1',
            features: { x: { nested: 1 } },
            prediction: 1,
            event_id: crypto.randomUUID(),
            timestamp: Date.now(),
          }),
        },
        { key: 'poison', value: good(2) },
        // A lone surrogate (what '😀'.slice(0, 1) serialises to): stored as U+FFFD, not refused.
        { key: 'poison', value: good(5).replace('"version":"v1"', '"version":"v1\\ud83d"') },
      ],
    });
    // Records in the collector's row format skip JavaScript validation; ClickHouse is the judge.
    const rowsHeaders = { 'osprey-format': 'rows/1', 'osprey-rows': '1' };
    const goodRow = rowLine(predictionKind, JSON.parse(good(3)) as { timestamp: number });
    await producer.send({
      topic: `${prefix}.predictions`,
      messages: [
        { key: 'poison', value: goodRow, headers: rowsHeaders },
        { key: 'poison', value: '["not-a-uuid",1,"poison","v1"]', headers: rowsHeaders },
        // Three rows in one record, the middle one refused: only that row is dead-lettered.
        {
          key: 'poison',
          value: [
            rowLine(predictionKind, JSON.parse(good(6)) as { timestamp: number }),
            '["also-not-a-uuid",1,"poison","v1"]',
            rowLine(predictionKind, JSON.parse(good(7)) as { timestamp: number }),
          ].join('\n'),
          headers: { ...rowsHeaders, 'osprey-rows': '3' },
        },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${prefix}-dlq-reader` });
    const dead: { value: string; reason: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}.deadletter`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push({
          value: message.value!.toString('hex'),
          reason: message.headers!['osprey-error']!.toString(),
        });
      },
    });
    await eventually(async () => dead.length >= 4, 60_000, 'four dead letters');
    await consumer.disconnect();
    expect(dead).toEqual([
      { value: 'ff00fe13', reason: expect.stringMatching(/^value is not JSON/) },
      {
        value: expect.any(String),
        reason: 'features.x: must be a number, string, boolean or null',
      },
      {
        value: Buffer.from('["not-a-uuid",1,"poison","v1"]').toString('hex'),
        reason: expect.stringMatching(/^row refused: .*CANNOT_PARSE_UUID/s),
      },
      {
        value: Buffer.from('["also-not-a-uuid",1,"poison","v1"]').toString('hex'),
        reason: expect.stringMatching(/^row refused: .*CANNOT_PARSE_UUID/s),
      },
    ]);
    await drained('the good records to be stored');
    await ingest.stop();
    expect(
      await sqlRows(ingest.dataDir, "SELECT count() FROM predictions WHERE model = 'poison'"),
    ).toEqual([['6']]);
    expect(
      await sqlRows(
        ingest.dataDir,
        "SELECT version FROM predictions WHERE model = 'poison' AND version != 'v1'",
      ),
    ).toEqual([['v1\ufffd']]);
    ingest = await startOsprey({ args: ['ingest'], env: kafkaEnv(), dataDir: ingest.dataDir });
  });

  it('keeps the bad-input behaviour of the collector in Kafka mode', async () => {
    const headers = {
      authorization: `Bearer ${collector.apiKey}`,
      'content-type': 'application/json',
    };
    const res = await post(
      `${collector.url}/v1/predictions`,
      JSON.stringify([
        { model: 'k', version: 'v', features: { a: [1] }, prediction: 1 },
        { model: 'k', version: 'v', features: {}, prediction: 2 },
      ]),
      headers,
    );
    expect(res).toMatchObject({
      status: 200,
      json: {
        accepted: 1,
        rejected: [{ index: 0, error: 'features.a: must be a number, string, boolean or null' }],
      },
    });
    expect((await post(`${collector.url}/v1/predictions`, '{oops', headers)).status).toBe(400);
    expect(
      (await post(`${collector.url}/v1/predictions`, '{}', { 'content-type': 'application/json' }))
        .status,
    ).toBe(401);
  });
});
