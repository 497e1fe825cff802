// npm run bench:distributed — the distributed shape on one machine, scaled: N collectors + N ingest
// processes (N = 1, then 2) against one store, events/s end to end (HTTP → collector → Kafka →
// ingest → store, until the ingest group's lag is 0). The store is the TEST-ONLY ClickHouse-HTTP
// stand-in over chDB (test/support/clickhouse-standin.ts), one process like a one-node server;
// the broker runs on the same machine. Both runs in one invocation: compare their ratio.
import { cpus, loadavg, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { startStandinProcess } from '../support/clickhouse-standin-process';
import { mulberry32, wideEvent } from '../support/events';
import { ensureKafka, testKafka, uniquePrefix, waitForDrain } from '../support/kafka';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { sendBatches } from './senders';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 16);
const BATCH = 1_000;
const rand = mulberry32(31);
const bodies = Array.from({ length: 50 }, () =>
  gzipSync(JSON.stringify(Array.from({ length: BATCH }, () => wideEvent(rand, 'dist-bench')))),
);
const broker = await ensureKafka();
const apiKey = `osp_bench_${Date.now()}`;

async function run(n: number): Promise<{ seconds: number; load: number[] }> {
  const standin = await startStandinProcess();
  const prefix = uniquePrefix('distbench');
  const env = {
    CLICKHOUSE_URL: standin.url,
    KAFKA_BROKERS: broker,
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'error',
  };
  const start = (role: string) =>
    startOsprey({ args: [role], apiKey, env, healthyWithinMs: 240_000 });
  const processes: OspreyProcess[] = [await start('collector')]; // creates the topics
  for (let i = 1; i < n; i++) processes.push(await start('collector'));
  for (let i = 0; i < n; i++) processes.push(await start('ingest'));
  const collectors = processes.slice(0, n);
  const t = performance.now();
  await Promise.all(
    collectors.map((c) =>
      sendBatches({
        url: c.url,
        apiKey,
        bodies,
        batches: TOTAL / BATCH / n,
        batchSize: BATCH,
        senders: SENDERS / n,
      }),
    ),
  );
  await waitForDrain(broker, `${prefix}-ingest`, [`${prefix}.predictions`], 900_000);
  const seconds = (performance.now() - t) / 1000;
  const load = loadavg();
  await Promise.all(processes.map((p) => p.stop()));
  await standin.stop();
  const admin = testKafka(broker).admin();
  await admin.connect();
  await admin.deleteTopics({
    topics: (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`)),
  });
  await admin.disconnect();
  return { seconds, load };
}

const one = await run(1);
const two = await run(2);
const rate = (s: number) => Math.round(TOTAL / s).toLocaleString('en-US');
const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; broker and store on the same machine`,
);
console.log(
  `events: ${TOTAL.toLocaleString('en-US')} per run (gzipped batches of ${BATCH}, 20 features, ${SENDERS} senders split over the collectors)`,
);
console.log('| shape | seconds | events/s | load average at the end (1/5/15 min) |');
console.log('| --- | ---: | ---: | --- |');
console.log(
  `| 1 collector + 1 ingest | ${one.seconds.toFixed(2)} | ${rate(one.seconds)} | ${load(one.load)} |`,
);
console.log(
  `| 2 collectors + 2 ingest | ${two.seconds.toFixed(2)} | ${rate(two.seconds)} | ${load(two.load)} |`,
);
console.log(`ratio (2+2 / 1+1): ${(one.seconds / two.seconds).toFixed(2)}×`);
