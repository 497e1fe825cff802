// npm run bench:ingest — events/s through the HTTP collector into chDB vs raw chDB inserts of the
// same rows, in one run. The collector runs as a real `osprey start` child process; senders are
// concurrent HTTP clients in this process posting pre-gzipped 1,000-event batches (so the measured
// cost is the collector's: decompress, parse, validate, batch, insert, acknowledge).
// BENCH_URL (+ BENCH_API_KEY) targets an Osprey already running there instead, e.g. the container
// image (docs/benchmarks.md): it must be fresh, as the stored count is checked.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { predictionKind, rowLine, validatePrediction } from '@osprey/ingest';
import { mulberry32, wideEvent } from '../support/events';
import { startOsprey } from '../support/osprey-process';
import { sendBatches } from './senders';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 1_000;
const SENDERS = Number(process.env.BENCH_SENDERS ?? 16);
const DISTINCT_BODIES = 50;

const rand = mulberry32(42);
const batches = Array.from({ length: DISTINCT_BODIES }, () =>
  Array.from({ length: BATCH }, () => wideEvent(rand, 'bench-model')),
);
const bodies = batches.map((b) => gzipSync(JSON.stringify(b)));

async function collectorRun(): Promise<{ seconds: number; stored: number }> {
  const target = process.env.BENCH_URL;
  if (target) {
    const apiKey = process.env.BENCH_API_KEY;
    if (!apiKey)
      throw new Error('BENCH_URL needs BENCH_API_KEY, a key with the ingest and read scopes');
    return sendAndCount(target, apiKey);
  }
  const osprey = await startOsprey({
    env: {
      LOG_LEVEL: 'error',
      ...(process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {}),
    },
  });
  try {
    return await sendAndCount(osprey.url, osprey.apiKey);
  } finally {
    await osprey.stop();
    rmSync(osprey.dataDir, { recursive: true, force: true });
  }
}

async function sendAndCount(
  url: string,
  apiKey: string,
): Promise<{ seconds: number; stored: number }> {
  const started = performance.now();
  const retries = await sendBatches({
    url,
    apiKey,
    bodies,
    batches: TOTAL / BATCH,
    batchSize: BATCH,
    senders: SENDERS,
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = await fetch(
    `${url}/api/v1/models/bench-model/stats?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
    { headers: { authorization: `Bearer ${apiKey}` } },
  );
  const { count } = (await stats.json()) as { count: number };
  if (retries > 0) console.log(`(${retries} requests were answered 503 and retried)`);
  return { seconds, stored: count };
}

async function rawRun(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-bench-raw-'));
  const store = await createStore({
    OSPREY_DATA_DIR: dataDir,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'default',
    OSPREY_RETENTION_DAYS: 90,
  });
  await migrate(store, { retentionDays: 90 });
  // The same rows the collector writes, as JSON lines, inserted in the collector's batch size.
  const now = Date.now();
  const lines = batches.map((b) =>
    b.map((e) => {
      const v = validatePrediction(e);
      if (!v.ok) throw new Error(v.error);
      return rowLine(predictionKind, predictionKind.normalize(v.value, now));
    }),
  );
  const insertRows = 50_000;
  const chunk = Buffer.from(
    Array.from({ length: insertRows / BATCH }, (_, i) =>
      lines[i % DISTINCT_BODIES]!.join('\n'),
    ).join('\n'),
  );
  const started = performance.now();
  for (let done = 0; done < TOTAL; done += insertRows)
    await store.insertJsonLines('predictions', chunk, { columns: predictionKind.columns });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  return seconds;
}

const collector = await collectorRun();
if (collector.stored !== TOTAL) throw new Error(`stored ${collector.stored} of ${TOTAL} events`);
const rawSeconds = await rawRun();
const collectorRate = TOTAL / collector.seconds;
const rawRate = TOTAL / rawSeconds;
console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log(
  `events: ${TOTAL.toLocaleString('en-US')} (batches of ${BATCH}, 20 features, ${SENDERS} concurrent senders)`,
);
console.log('| path | seconds | events/s |');
console.log('| --- | ---: | ---: |');
console.log(
  `| HTTP collector → chDB | ${collector.seconds.toFixed(2)} | ${Math.round(collectorRate).toLocaleString('en-US')} |`,
);
console.log(
  `| raw chDB insert (the same row lines, 50k rows/insert) | ${rawSeconds.toFixed(2)} | ${Math.round(rawRate).toLocaleString('en-US')} |`,
);
console.log(`ratio collector / raw: ${(collectorRate / rawRate).toFixed(2)}`);
