// npm run bench:slow-clients — normal ingest throughput with 100 slowloris clients connected
// against none, in one run: phases alternate (none, slow, none, slow, …) on one `osprey start`,
// and the ratio of medians is the figure (goal ≥ 0.9). Each slow client declares a 100,000-byte
// body and sends one byte every 2 s; one cut at the body deadline (408) is replaced at once, so
// 100 stay connected throughout the slow phases.
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { mulberry32, wideEvent } from '../support/events';
import { startOsprey } from '../support/osprey-process';
import { slowIngestClient, type rawRequest } from '../support/raw-http';
import { sendBatches } from './senders';

const SLOW = Number(process.env.BENCH_SLOW_CLIENTS ?? 100);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 150);
const BATCH = 1_000;
const SENDERS = 8;
const rand = mulberry32(13);
const bodies = Array.from({ length: 20 }, () =>
  gzipSync(JSON.stringify(Array.from({ length: BATCH }, () => wideEvent(rand, 'slow-bench')))),
);

const osprey = await startOsprey({ env: { LOG_LEVEL: 'error' } });
let slowOn = false;
let cut = 0;
const connected = new Set<ReturnType<typeof rawRequest>['socket']>();
function slowClient(): void {
  const { answer, socket } = slowIngestClient(osprey.port, osprey.apiKey);
  connected.add(socket);
  void answer.then(({ status }) => {
    connected.delete(socket);
    if (status === 408) cut++;
    if (slowOn) slowClient();
  });
}

async function phase(slow: boolean): Promise<number> {
  if (slow) {
    slowOn = true;
    for (let i = 0; i < SLOW; i++) slowClient();
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const started = performance.now();
  await sendBatches({
    url: osprey.url,
    apiKey: osprey.apiKey,
    bodies,
    batches: BATCHES,
    batchSize: BATCH,
    senders: SENDERS,
  });
  const rate = (BATCHES * BATCH) / ((performance.now() - started) / 1000);
  const held = connected.size;
  slowOn = false;
  for (const socket of connected) socket.destroy();
  console.log(
    `${slow ? `with ${held} slow clients` : 'no slow clients      '}: ${Math.round(rate).toLocaleString('en')} events/s`,
  );
  return rate;
}

const quiet: number[] = [];
const slow: number[] = [];
await phase(false); // warm-up: JIT, first parts
for (let i = 0; i < PAIRS; i++) {
  quiet.push(await phase(false));
  slow.push(await phase(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await osprey.stop();
console.log(
  `\n${cpus().length} cores (${cpus()[0]?.model}); ${PAIRS} pairs of ${BATCHES} × ${BATCH}-event gzipped batches, ${SENDERS} senders; ${cut} slow clients cut by the body deadline`,
);
console.log(
  `median without: ${Math.round(median(quiet)).toLocaleString('en')} events/s; with ${SLOW} slow clients: ${Math.round(median(slow)).toLocaleString('en')} events/s; ratio ${(median(slow) / median(quiet)).toFixed(3)}`,
);
process.exit(0);
