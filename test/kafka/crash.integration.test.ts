import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32, wideEvent } from '../support/events';
import { eventually } from '../support/http';
import { ensureKafka, groupLag, testKafka, uniquePrefix } from '../support/kafka';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// 200,000 events on the topic; the ingest process is killed with SIGKILL at 5 random moments and
// restarted each time. Afterwards every event is in the table exactly once.
const EVENTS = 200_000;
const KILLS = 5;
let broker: string;
let kafka: Kafka;
let prefix: string;

beforeAll(async () => {
  broker = await ensureKafka();
  kafka = testKafka(broker);
  prefix = uniquePrefix('crash');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: ['predictions', 'labels', 'deadletter'].map((t) => ({
      topic: `${prefix}.${t}`,
      numPartitions: 3,
    })),
  });
  await admin.disconnect();
  // What the collector produces: normalized events, one record per model per request (arrays of
  // 50 here), plus single-event records as other producers may write them.
  const producer = kafka.producer();
  await producer.connect();
  const rand = mulberry32(77);
  const event = (model: string) => ({
    ...wideEvent(rand, model),
    event_id: crypto.randomUUID(),
    timestamp: Date.now(),
    // Vectors and texts (#18) ride on their prediction's insert and must not double either.
    embeddings: { e: [rand(), rand(), rand(), rand()] },
    text: { t: 'a replayed text' },
  });
  for (let sent = 0; sent < EVENTS; sent += 5_000) {
    // 5,000 events: 98 records of 50 and 100 records of one.
    const messages = Array.from({ length: 198 }, (_, r) => {
      const model = `crash-${r % 6}`;
      const value = r < 98 ? Array.from({ length: 50 }, () => event(model)) : event(model);
      return { key: model, value: JSON.stringify(value) };
    });
    await producer.send({
      topic: `${prefix}.predictions`,
      compression: CompressionTypes.GZIP,
      messages,
    });
  }
  await producer.disconnect();
}, 300_000);

let ingest: OspreyProcess | undefined;
afterAll(async () => {
  await ingest?.stop('SIGKILL');
});

it('loses nothing and doubles nothing when the ingest process is killed -9 five times', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-crash-'));
  // The shortest session the broker allows, so a killed consumer's partitions move on quickly.
  const env = {
    KAFKA_BROKERS: broker,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
  };
  const rand = mulberry32(5);
  const lag = () => groupLag(broker, `${prefix}-ingest`, [`${prefix}.predictions`]);
  for (let kill = 0; kill < KILLS; kill++) {
    ingest = await startOsprey({ args: ['ingest'], env, dataDir });
    await new Promise((r) => setTimeout(r, 300 + rand() * 2_500));
    await ingest.stop('SIGKILL');
  }
  expect(await lag()).toBeGreaterThan(0); // the kills really interrupted the work
  ingest = await startOsprey({ args: ['ingest'], env, dataDir });
  await eventually(async () => (await lag()) === 0, 240_000, 'the consumer to drain the topic');
  await ingest.stop();
  ingest = undefined;
  const [[count, unique]] = (await sqlRows(
    dataDir,
    "SELECT count(), uniqExact(event_id) FROM predictions WHERE startsWith(model, 'crash-')",
  )) as [[string, string]];
  expect({ count: Number(count), unique: Number(unique) }).toEqual({
    count: EVENTS,
    unique: EVENTS,
  });
  // The dashboard's rollups, fed by views on predictions, skipped the replayed blocks too.
  const [[perMinute, perHour]] = (await sqlRows(
    dataDir,
    "SELECT (SELECT sum(events) FROM predictions_1m WHERE startsWith(model, 'crash-')), (SELECT sum(events) FROM predictions_1h WHERE startsWith(model, 'crash-'))",
  )) as [[string, string]];
  expect({ perMinute: Number(perMinute), perHour: Number(perHour) }).toEqual({
    perMinute: EVENTS,
    perHour: EVENTS,
  });
  const [[vectors, vectorIds, texts, textIds]] = (await sqlRows(
    dataDir,
    `SELECT (SELECT count() FROM prediction_embeddings WHERE startsWith(model, 'crash-')),
            (SELECT uniqExact(event_id) FROM prediction_embeddings WHERE startsWith(model, 'crash-')),
            (SELECT count() FROM prediction_texts WHERE startsWith(model, 'crash-')),
            (SELECT uniqExact(event_id) FROM prediction_texts WHERE startsWith(model, 'crash-'))`,
  )) as [[string, string, string, string]];
  expect([vectors, vectorIds, texts, textIds].map(Number)).toEqual([
    EVENTS,
    EVENTS,
    EVENTS,
    EVENTS,
  ]);
}, 600_000);
