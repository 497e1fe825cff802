// npm run bench:batching — what batching models into shared statements would buy (issue #16's
// many-models goal): BENCH_MODELS models (default 1,000) × 1,000 predictions in one closed window
// (bench:many-models' data), and two of a window's statements run once per model, as
// `run/detect.ts` does today, against one statement for every model grouped by model: the
// category counts of drift (reference/profile.ts categoryCounts) and the latency percentiles
// (operational/operational.ts). Best of 3 each.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tables } from '@osprey/db';
import { categoryCounts } from '../src/reference/profile';
import { predictionRows } from '../src/sql/rows';
import { generateDriftData } from './generate';
import { openBenchStore } from './store';

const MODELS = Number(process.env.BENCH_MODELS ?? 1_000);
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };
const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-batching-'));
const store = await openBenchStore(dir);
await generateDriftData(store, { rows: 1_000, numeric: 8, categorical: 3, from, models: MODELS });
const models = Array.from({ length: MODELS }, (_, i) => `bench-${i}`);

async function best(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return Math.min(...times);
}

const inWindow = `timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
  AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
const latency = (grouped: boolean) =>
  `SELECT ${grouped ? 'model, ' : ''}countIf(latency_ms IS NOT NULL) AS n,
          quantilesExactLow(0.5, 0.9, 0.95, 0.99)(latency_ms) AS q, max(latency_ms) AS mx
   FROM ${Tables.predictions}
   WHERE ${grouped ? 'model IN {models:Array(String)}' : 'model = {model:String}'} AND ${inWindow}
   ${grouped ? 'GROUP BY model' : ''}`;

const rows: [string, number, number][] = [
  [
    'category counts (drift)',
    await best(async () => {
      for (const model of models)
        await categoryCounts(store, predictionRows('cur', { model, ...window }));
    }),
    await best(() =>
      store.query(
        `SELECT model, CAST(k, 'String') AS k, v, count() AS n FROM ${Tables.predictions}
         ARRAY JOIN mapKeys(cat_features) AS k, mapValues(cat_features) AS v
         WHERE model IN {models:Array(String)} AND ${inWindow}
         GROUP BY model, k, v`,
        { models, ...window },
      ),
    ),
  ],
  [
    'latency percentiles',
    await best(async () => {
      for (const model of models) await store.query(latency(false), { model, ...window });
    }),
    await best(() => store.query(latency(true), { models, ...window })),
  ],
];
await store.close();
rmSync(dir, { recursive: true, force: true });

const ms = (total: number) => `${(total / MODELS).toFixed(2)} ms`;
console.log(
  `${MODELS} models × 1,000 predictions, one window; ${cpus().length} cores (${cpus()[0]?.model.trim()})`,
);
console.log('| statement | one per model: a model | one for all: a model | ratio |');
console.log('| --- | --: | --: | --: |');
for (const [what, each, all] of rows) {
  console.log(`| ${what} | ${ms(each)} | ${ms(all)} | ${(each / all).toFixed(0)}× |`);
}
