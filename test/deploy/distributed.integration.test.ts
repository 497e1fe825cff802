import { Osprey } from '@osprey/sdk';
import { storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ROLES_SECRET_KEY,
  startStandinProcess,
  type StandinProcess,
} from '../support/clickhouse-standin-process';
import { mulberry32 } from '../support/events';
import { eventually, progressesTo, stats } from '../support/http';
import { ensureKafka, modelsOnePerPartition, uniquePrefix } from '../support/kafka';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// The distributed shape as separate processes against one store: SDK → 2 collectors → Kafka →
// ingest → store; detectors ×2 sharing the models through their consumer group; web reading it.
// The store is the TEST-ONLY ClickHouse-HTTP stand-in over chDB, over HTTPS with a test CA (so
// every role runs the product's CLICKHOUSE_CA_FILE path).

const PARTITIONS = 6;
const HOURS = 6;
const PER_HOUR = 30;
const API_KEY = `osp_test_distributed_${Date.now()}`;

let standin: StandinProcess;
let store: Store;
let broker: string;
let prefix: string;
const processes: OspreyProcess[] = [];

function roleEnv(): Record<string, string> {
  return {
    CLICKHOUSE_URL: standin.url,
    CLICKHOUSE_CA_FILE: standin.caFile!,
    CLICKHOUSE_USER: 'osprey',
    CLICKHOUSE_PASSWORD: 'distributed-secret',
    KAFKA_BROKERS: broker,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    OSPREY_SECRET_KEY: ROLES_SECRET_KEY,
    OSPREY_DETECTOR_INTERVAL_SECONDS: '2',
    LOG_LEVEL: 'info',
  };
}

async function role(name: string): Promise<OspreyProcess> {
  const p = await startOsprey({
    args: [name],
    apiKey: API_KEY,
    env: roleEnv(),
    healthyWithinMs: 240_000,
  });
  processes.push(p);
  return p;
}

/** The models whose windows a detectors process logged as detected, from its JSON logs. */
function modelsDetected(logs: string): Set<string> {
  const models = new Set<string>();
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; model?: string };
    if (
      entry.model &&
      (entry.msg === 'backfilling detector windows' || entry.msg === 'window detected')
    )
      models.add(entry.model);
  }
  return models;
}

/** The partitions a detectors process was last assigned, from its logs (empty before it joins). */
function lastAssignment(logs: string): number[] | undefined {
  const lines = logs.split('\n').filter((l) => l.includes('"model work assigned"'));
  if (lines.length === 0) return undefined;
  return (JSON.parse(lines.at(-1)!) as { partitions: number[] }).partitions;
}

beforeAll(async () => {
  broker = await ensureKafka();
  prefix = uniquePrefix('dist');
  standin = await startStandinProcess({
    tls: true,
    user: 'osprey',
    password: 'distributed-secret',
  });
  store = await createStore(
    storeEnv.parse({
      CLICKHOUSE_URL: standin.url,
      CLICKHOUSE_CA_FILE: standin.caFile,
      CLICKHOUSE_USER: 'osprey',
      CLICKHOUSE_PASSWORD: 'distributed-secret',
    }),
  );
  // Migrations are their own step (`osprey migrate` in a deployment); the roles then find none.
  await migrate(store, { retentionDays: 30 });
}, 180_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await store?.close();
  await standin?.stop();
});

it('stores every event once and detects every window once, across a killed detectors replica', async () => {
  const models = modelsOnePerPartition(`dist-${prefix}`, PARTITIONS);
  // The first collector creates the topics; the other roles start together.
  const collectorA = await role('collector');
  const [collectorB, , web, detectorsA, detectorsB] = await Promise.all(
    ['collector', 'ingest', 'web', 'detectors', 'detectors'].map(role),
  );
  // Both replicas in the group, with three partitions each, before there is any work.
  await eventually(
    async () =>
      lastAssignment(detectorsA!.logs())?.length === PARTITIONS / 2 &&
      lastAssignment(detectorsB!.logs())?.length === PARTITIONS / 2,
    60_000,
    'both detectors replicas to own half of the work partitions',
  );

  // SDK → two collectors: every other event through each, hour-aligned closed windows.
  const rand = mulberry32(15);
  const sdkA = new Osprey({ url: collectorA.url, apiKey: API_KEY, flushIntervalMs: 100 });
  const sdkB = new Osprey({ url: collectorB!.url, apiKey: API_KEY, flushIntervalMs: 100 });
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - (HOURS + 1) * 3_600_000;
  let sent = 0;
  for (const model of models) {
    for (let i = 0; i < HOURS * PER_HOUR; i++) {
      (sent++ % 2 === 0 ? sdkA : sdkB).log({
        model,
        version: 'v1',
        timestamp: start + Math.floor((i * 3_600_000) / PER_HOUR),
        features: { a: rand(), b: rand() < 0.5 ? 'x' : 'y' },
        prediction: rand(),
        latency_ms: rand() * 50,
      });
    }
  }
  await Promise.all([sdkA.close(), sdkB.close()]);
  expect(sdkA.stats()).toMatchObject({ sent: sent / 2, dropped: 0, failed: 0, rejected: 0 });
  expect(sdkB.stats()).toMatchObject({ sent: sent / 2, dropped: 0, failed: 0, rejected: 0 });

  // Kill one replica once it has detected a window, while its backfill is still running.
  await eventually(
    async () => modelsDetected(detectorsA!.logs()).size > 0,
    120_000,
    'replica A to detect a window',
  );
  detectorsA!.child.kill('SIGKILL');
  const ownedByA = modelsDetected(detectorsA!.logs());
  const survivorLogsAtKill = detectorsB!.logs().length;

  // Every event stored once, counted by event_id.
  const counted = async () =>
    (
      await store.query<{ n: string; ids: string }>(
        `SELECT count() AS n, uniqExact(event_id) AS ids FROM predictions
         WHERE model IN {models:Array(String)}`,
        { models },
      )
    )[0]!;
  await eventually(async () => Number((await counted()).n) >= sent, 60_000, 'every event stored');
  expect(await counted()).toEqual({ n: String(sent), ids: String(sent) });

  // Every hour with events detected, for every model, by the survivor where A left off.
  const detectedWindows = async () =>
    Number(
      (
        await store.query<{ n: string }>(
          `SELECT count() AS n FROM (
             SELECT DISTINCT model, window_start FROM detector_runs
             WHERE model IN {models:Array(String)} AND detector = 'drift'
               AND window_start >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')
               AND window_start < fromUnixTimestamp64Milli({end:Int64}, 'UTC'))`,
          { models, start, end: start + HOURS * 3_600_000 },
        )
      )[0]!.n,
    );
  await progressesTo(
    detectedWindows,
    models.length * HOURS,
    120_000,
    'windows detected, of every model',
  );
  expect(await detectedWindows()).toBe(models.length * HOURS);
  const takenOver = modelsDetected(detectorsB!.logs().slice(survivorLogsAtKill));
  expect(
    [...ownedByA].filter((m) => takenOver.has(m)),
    detectorsB!.logs(),
  ).not.toEqual([]);

  // Exactly once: one run per (model, window, detector, version, segment), the killed replica's
  // last window included.
  const repeated = await store.query(
    `SELECT model, window_start, detector, version, segment, count() AS runs
     FROM detector_runs WHERE model IN {models:Array(String)}
     GROUP BY model, window_start, detector, version, segment HAVING runs > 1`,
    { models },
  );
  expect(repeated).toEqual([]);

  // The dashboard role reads the same store.
  const perModel = await stats(web!.url, API_KEY, models[0]!);
  expect(perModel.count).toBe(HOURS * PER_HOUR);
}, 600_000);
