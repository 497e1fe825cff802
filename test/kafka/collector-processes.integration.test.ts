import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { RECORD_HEADERS } from '@osprey/ingest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32, wideEvent } from '../support/events';
import { eventually, postGzippedPredictions } from '../support/http';
import { ensureKafka, testKafka, uniquePrefix } from '../support/kafka';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { childPids } from '../support/proc';

// `osprey collector` as several processes on one port (OSPREY_COLLECTOR_PROCESSES), against the
// project's real broker: the primary holds the store and answers the workers' key look-ups,
// /metrics adds up every worker, a worker that dies is replaced, and SIGTERM stops them all.
let broker: string;
let prefix: string;
let collector: OspreyProcess;

beforeAll(async () => {
  broker = await ensureKafka();
  prefix = uniquePrefix('processes');
  collector = await startOsprey({
    args: ['collector'],
    env: { KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, OSPREY_COLLECTOR_PROCESSES: '3' },
  });
}, 180_000);
afterAll(async () => {
  await collector?.stop();
});

/** The live `osprey` child processes of `pid` (not tsx's esbuild service), from /proc. */
function childrenOf(pid: number): number[] {
  return childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('osprey.js');
    } catch {
      return false; // ended while we looked
    }
  });
}

/** Rows the collector put on the predictions topic (a record carries its row count). */
async function rowsOnTopic(): Promise<number> {
  const admin = testKafka(broker).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(`${prefix}.predictions`);
  await admin.disconnect();
  const records = offsets.reduce((n, p) => n + Number(p.high), 0);
  const consumer = testKafka(broker).consumer({ groupId: `${prefix}-reader-${Date.now()}` });
  let rows = 0;
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}.predictions`, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      rows += Number(message.headers![RECORD_HEADERS.rows]!.toString());
      seen++;
    },
  });
  await eventually(async () => seen >= records, 30_000, 'every record to be read');
  await consumer.disconnect();
  return rows;
}

const send = (body: Buffer, apiKey = collector.apiKey) =>
  postGzippedPredictions(collector.url, apiKey, body).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as { accepted?: number; error?: string },
  }));

it('serves one port from several processes, counts every event once, and replaces a dead worker', async () => {
  const primary = collector.child.pid!;
  const workers = childrenOf(primary);
  expect(workers, collector.logs()).toHaveLength(3);

  // 60 batches of 100, 12 at a time: several connections, spread over the workers.
  const rand = mulberry32(5);
  const bodies = Array.from({ length: 60 }, () =>
    gzipSync(JSON.stringify(Array.from({ length: 100 }, () => wideEvent(rand, 'processes')))),
  );
  for (let i = 0; i < bodies.length; i += 12) {
    const answers = await Promise.all(bodies.slice(i, i + 12).map((b) => send(b)));
    expect(answers.map((a) => a.body.accepted)).toEqual(Array(answers.length).fill(100));
  }
  // Keys are looked up in the primary's store: an unknown one is refused by every worker.
  const refused = await Promise.all(
    Array.from({ length: 6 }, () => send(bodies[0]!, 'osp_unknown_key_1234567890')),
  );
  expect(refused.map((r) => r.status)).toEqual(Array(6).fill(401));

  // /metrics is the sum over the workers, whichever of them answers the scrape.
  const accepted = async () => {
    const text = await (await fetch(`${collector.url}/metrics`)).text();
    return Number(/osprey_ingest_events_accepted_total\{kind="prediction"\} (\d+)/.exec(text)?.[1]);
  };
  for (let i = 0; i < 3; i++) expect(await accepted()).toBe(6_000);
  expect(await rowsOnTopic()).toBe(6_000);

  // A worker killed -9 is replaced; the port keeps answering meanwhile and afterwards.
  process.kill(workers[0]!, 'SIGKILL');
  await eventually(
    async () => {
      const now = childrenOf(primary);
      return now.length === 3 && !now.includes(workers[0]!);
    },
    30_000,
    'a replacement worker',
  );
  const after = await Promise.all(bodies.slice(0, 12).map((b) => send(b)));
  expect(after.map((a) => a.body.accepted)).toEqual(Array(12).fill(100));
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  expect(await rowsOnTopic()).toBe(7_200);

  // SIGTERM to the primary stops every worker (each flushing to Kafka) and exits 0.
  const survivors = childrenOf(primary);
  expect(await collector.stop('SIGTERM')).toBe(0);
  expect(survivors.filter(isAlive)).toEqual([]);
}, 180_000);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
