// npm run bench:overload — sustained sending above capacity: the collector must shed load with
// 503 + Retry-After and keep its memory bounded (goal: RSS < 1 GiB). Many concurrent senders post
// pre-gzipped 1,000-event batches back to back for a fixed time, ignoring Retry-After on purpose.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { mulberry32, wideEvent } from '../support/events';
import { postGzippedPredictions } from '../support/http';
import { startOsprey } from '../support/osprey-process';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 512);
const rand = mulberry32(9);
const bodies = Array.from({ length: 20 }, () =>
  gzipSync(JSON.stringify(Array.from({ length: 1_000 }, () => wideEvent(rand, 'overload')))),
);

const osprey = await startOsprey({
  env: { LOG_LEVEL: 'error', ...(process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {}) },
});
const rssMiB = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${osprey.child.pid}/status`, 'utf8'))![1]) /
  1024;
const startRss = rssMiB();
let maxRss = startRss;
const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMiB())), 100);
const counts = new Map<number, number>();
let retryAfterMissing = 0;
const deadline = Date.now() + SECONDS * 1000;
await Promise.all(
  Array.from({ length: SENDERS }, async (_, s) => {
    for (let i = s; Date.now() < deadline; i += SENDERS) {
      const res = await postGzippedPredictions(
        osprey.url,
        osprey.apiKey,
        bodies[i % bodies.length]!,
      );
      await res.arrayBuffer();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      if (res.status === 503 && !res.headers.get('retry-after')) retryAfterMissing++;
    }
  }),
);
clearInterval(sampler);
await osprey.stop();

const ok = counts.get(200) ?? 0;
console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log(`${SENDERS} senders, ${SECONDS} s, 1,000-event gzipped batches (20 features)`);
console.log('| answers 200 | answers 503 | other | stored events/s | RSS at start | max RSS |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
const other = [...counts].filter(([s]) => s !== 200 && s !== 503).reduce((n, [, c]) => n + c, 0);
console.log(
  `| ${ok} | ${counts.get(503) ?? 0} | ${other} | ${Math.round((ok * 1000) / SECONDS).toLocaleString('en-US')} | ${startRss.toFixed(0)} MiB | ${maxRss.toFixed(0)} MiB |`,
);
if (retryAfterMissing > 0) throw new Error(`${retryAfterMissing} 503 answers had no Retry-After`);
if (maxRss >= 1024)
  throw new Error(`collector RSS reached ${maxRss.toFixed(0)} MiB (goal < 1 GiB)`);
