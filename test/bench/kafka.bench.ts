// npm run bench:kafka — the distributed transport on one machine: SDK-sized gzipped batches →
// `osprey collector` → Kafka → `osprey ingest` → chDB, with the broker on the same 2 cores.
// Three rates from one run: producer side only (collector → Kafka acknowledged), consumer side
// only (ingest draining a filled topic), and end to end (both running, until the lag is 0).
// BENCH_KAFKA_TLS=1: end to end only, over the plaintext broker and then over the TLS broker
// (SASL_SSL + SCRAM-SHA-512, KAFKA_TLS=1 deploy/kafka/kafka.sh), with the ratio of the two.
import { readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { mulberry32, wideEvent } from '../support/events';
import { kafkaEnv, kafkaSecurity, type KafkaSecurity } from '@osprey/ingest';
import {
  ensureKafka,
  ensureTlsKafka,
  testKafka,
  uniquePrefix,
  waitForDrain,
} from '../support/kafka';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { cpuMeter, histogramTotals } from './process-cpu';
import { sendBatches } from './senders';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 500_000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 16);
const BATCH = 1_000;
const rand = mulberry32(21);
const bodies = Array.from({ length: 50 }, () =>
  gzipSync(JSON.stringify(Array.from({ length: BATCH }, () => wideEvent(rand, 'kafka-bench')))),
);

const broker = await ensureKafka();
// BENCH_PROFILE=<dir>: CPU profiles (--cpu-prof) of the collector and ingest in the joint run.
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

async function send(collector: OspreyProcess): Promise<void> {
  const { url, apiKey } = collector;
  await sendBatches({
    url,
    apiKey,
    bodies,
    batches: TOTAL / BATCH,
    batchSize: BATCH,
    senders: SENDERS,
  });
}

const drain = (prefix: string, to = plaintext) =>
  waitForDrain(to.broker, `${prefix}-ingest`, [`${prefix}.predictions`], 600_000, to.security);

/** A run's topics and data directories hold GBs at 2M events: remove them once measured. */
async function cleanUp(
  prefix: string,
  processes: OspreyProcess[],
  to: Target = plaintext,
): Promise<void> {
  const admin = testKafka(to.broker, to.security).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  await admin.deleteTopics({ topics });
  await admin.disconnect();
  for (const p of processes) rmSync(p.dataDir, { recursive: true, force: true });
}

interface Target {
  broker: string;
  env: Record<string, string>;
  security: KafkaSecurity;
}
const plaintext: Target = { broker, env: { KAFKA_BROKERS: broker }, security: {} };

const seconds = (since: number) => (performance.now() - since) / 1000;
const env = (prefix: string, to = plaintext) => ({
  ...to.env,
  KAFKA_TOPIC_PREFIX: prefix,
  LOG_LEVEL: 'error',
});
const rate = (s: number) => Math.round(TOTAL / s).toLocaleString('en-US');

if (process.env.BENCH_KAFKA_TLS === '1') {
  const tls = await ensureTlsKafka();
  const overTls: Target = {
    broker: tls.broker,
    env: tls.env,
    security: kafkaSecurity(kafkaEnv.parse(tls.env)),
  };
  const endToEnd = async (to: Target) => {
    const prefix = uniquePrefix('bench');
    const [c, i] = await Promise.all([
      startOsprey({ args: ['collector'], env: env(prefix, to) }),
      startOsprey({ args: ['ingest'], env: env(prefix, to) }),
    ]);
    const started = performance.now();
    await send(c);
    await drain(prefix, to);
    const s = seconds(started);
    await Promise.all([c.stop(), i.stop()]);
    await cleanUp(prefix, [c, i], to);
    return s;
  };
  // Alternating rounds (BENCH_ROUNDS, default 3), so that a warming JVM or a neighbour's burst on
  // a shared machine does not land on one side only; the ratio is of the medians.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const plain: number[] = [];
  const secured: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await endToEnd(plaintext));
    secured.push(await endToEnd(overTls));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const row = (label: string, xs: number[]) =>
    `| ${label} | ${xs.map((x) => x.toFixed(2)).join(', ')} | ${rate(median(xs))} |`;
  console.log(
    `machine: ${cpus()[0]?.model} × ${cpus().length} cores; both brokers on the same machine`,
  );
  console.log(
    `events: ${TOTAL.toLocaleString('en-US')} per run (gzipped batches of ${BATCH}, ${SENDERS} senders), ${rounds} alternating rounds`,
  );
  console.log(
    '| end to end: HTTP → collector → Kafka → ingest → chDB | seconds per round | events/s (median) |',
  );
  console.log('| --- | ---: | ---: |');
  console.log(row('plaintext', plain));
  console.log(row('SASL_SSL + SCRAM-SHA-512', secured));
  console.log(`TLS / plaintext (medians): ${(median(plain) / median(secured)).toFixed(2)}×`);
  process.exit(0);
}

// 1 + 2: fill a topic through the collector alone, then drain it with ingest alone.
const split = uniquePrefix('bench');
const collector = await startOsprey({ args: ['collector'], env: env(split) });
let t = performance.now();
await send(collector);
const producerSeconds = seconds(t);
await collector.stop();
t = performance.now();
const ingest = await startOsprey({ args: ['ingest'], env: env(split) });
await drain(split);
const consumerSeconds = seconds(t);
await ingest.stop();
await cleanUp(split, [collector, ingest]);

// 3: both at once.
const joint = uniquePrefix('bench');
const [c2, i2] = await Promise.all([
  startOsprey({ args: ['collector'], env: env(joint), nodeArgs: profile }),
  startOsprey({ args: ['ingest'], env: env(joint), nodeArgs: profile }),
]);
t = performance.now();
const meter = cpuMeter({
  // The collector's workers are its children (OSPREY_COLLECTOR_PROCESSES).
  collector: { pid: c2.child.pid!, children: true },
  ingest: { pid: i2.child.pid! },
  broker: { pid: brokerPid() },
  senders: { pid: process.pid },
});
await send(c2);
await drain(joint);
const e2eSeconds = seconds(t);
const cpu = meter.stop();
const metrics = await (await fetch(`${i2.url}/metrics`)).text();
await Promise.all([c2.stop(), i2.stop()]);
await cleanUp(joint, [c2, i2]);

/** The broker deploy/kafka/kafka.sh started on this port. */
function brokerPid(): number {
  const port = broker.split(':').at(-1);
  return Number(readFileSync(`deploy/kafka/.cache/node-${port}/kafka.pid`, 'utf8'));
}

console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; broker on the same machine`,
);
console.log(
  `events: ${TOTAL.toLocaleString('en-US')} (gzipped batches of ${BATCH}, 20 features, ${SENDERS} concurrent senders)`,
);
console.log('| path | seconds | events/s |');
console.log('| --- | ---: | ---: |');
console.log(
  `| producer side: HTTP → collector → Kafka (acks=all) | ${producerSeconds.toFixed(2)} | ${rate(producerSeconds)} |`,
);
console.log(
  `| consumer side: Kafka → ingest → chDB (start included) | ${consumerSeconds.toFixed(2)} | ${rate(consumerSeconds)} |`,
);
console.log(
  `| end to end: HTTP → collector → Kafka → ingest → chDB | ${e2eSeconds.toFixed(2)} | ${rate(e2eSeconds)} |`,
);
const perEvent = (cpuS: number) => ((cpuS / TOTAL) * 1e6).toFixed(1);
console.log(
  `end to end, CPU µs per event: ${Object.entries(cpu)
    .map(([k, v]) => `${k} ${perEvent(v)}`)
    .join(', ')}; total ${perEvent(Object.values(cpu).reduce((a, b) => a + b, 0))} ` +
    `(2 cores give ${((2 * e2eSeconds * 1e6) / TOTAL).toFixed(1)} per event at this rate)`,
);
const rows = histogramTotals(metrics, 'osprey_ingest_consumer_batch_rows');
const inserts = histogramTotals(metrics, 'osprey_ingest_consumer_insert_seconds');
console.log(
  `ingest: ${rows.count} inserts of ${Math.round(rows.sum / rows.count)} rows on average, ` +
    `${((inserts.sum / inserts.count) * 1000).toFixed(0)} ms each`,
);
