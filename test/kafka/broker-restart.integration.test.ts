import { Osprey } from '@osprey/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/http';
import { ensureKafka, groupLag, stopKafka, uniquePrefix } from '../support/kafka';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// A broker of its own (another port), so stopping it disturbs no other test.
const PORT = 19_292;
let broker: string;
let osprey: OspreyProcess | undefined;
const prefix = uniquePrefix('restart');

beforeAll(async () => {
  broker = await ensureKafka(PORT);
}, 180_000);
afterAll(async () => {
  await osprey?.stop();
  await stopKafka(PORT);
});

it('loses nothing when the broker restarts while the SDK is sending', async () => {
  osprey = await startOsprey({
    env: { KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, KAFKA_SESSION_TIMEOUT_MS: '6000' },
  });
  const client = new Osprey({
    url: osprey.url,
    apiKey: osprey.apiKey,
    flushIntervalMs: 100,
    retryMaxDelayMs: 1_000,
    onError: () => {},
  });
  const sent = new Set<string>();
  let restarted = false;
  const sending = (async () => {
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 100; j++)
        sent.add(
          client.log({
            model: 'restart',
            version: 'v1',
            features: { i, j },
            prediction: j,
            latency_ms: 1,
          }),
        );
      await new Promise((r) => setTimeout(r, 80));
    }
  })();
  await new Promise((r) => setTimeout(r, 1_500));
  await stopKafka(PORT);
  await new Promise((r) => setTimeout(r, 3_000));
  await ensureKafka(PORT);
  restarted = true;
  await sending;
  await client.close(90_000);
  expect(restarted).toBe(true);
  expect(client.stats()).toMatchObject({ sent: 10_000, dropped: 0, failed: 0 });
  expect(client.stats().retries).toBeGreaterThan(0); // the outage was felt

  await eventually(
    async () => (await groupLag(broker, `${prefix}-ingest`, [`${prefix}.predictions`])) === 0,
    90_000,
    'ingest to drain',
  );
  await osprey.stop();
  const dataDir = osprey.dataDir;
  osprey = undefined;
  const [[unique]] = (await sqlRows(
    dataDir,
    "SELECT uniqExact(event_id) FROM predictions WHERE model = 'restart'",
  )) as [[string]];
  expect(Number(unique)).toBe(sent.size);
}, 300_000);
