/**
 * bench:shadow — CPU rows/s of the tabular candidate (the gradient-boosted house-price model)
 * against python onnxruntime on the same model and inputs, in one run:
 *   1. python onnxruntime looping session.run over the inputs in batches;
 *   2. the shadow runner's inference pool alone over the same batches (worker thread, transfers),
 *      interleaved with 1, best pass of each;
 *   3. a whole replay of the same events logged in chDB: slices read, tensors built, inference,
 *      shadow_results written, summary aggregated — and the pool's share of it.
 *
 *   npm run bench:shadow            # ROWS=200000 BATCH=4096 by default
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getShadowRun, storeEnv } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import pino from 'pino';
import { shadowRunRequest } from '../src/api';
import { shadowEnv } from '../src/config';
import { InferencePool } from '../src/inference/pool';
import { createModels } from '../src/models';
import { ShadowRunner } from '../src/replay/runner';
import { FIXTURE_MODELS, HOUSE_FEATURES as FEATURES, REPO_ROOT } from '../src/testing/python';

const ROWS = Number(process.env.ROWS ?? 200_000);
const BATCH = Number(process.env.BATCH ?? 4096);
const MODEL = join(FIXTURE_MODELS, 'house_price_gbr.onnx');
const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-shadow-'));
const T0 = Date.parse('2026-01-01T00:00:00Z');

// Demo-like houses; python and the pool get exactly the tensors the replay builds.
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const x = new Float32Array(ROWS * 6);
for (let i = 0; i < ROWS; i++) {
  const rooms = 1 + Math.floor(rand() * 7);
  x.set(
    [
      rooms,
      Math.max(1, rooms - 1),
      20 + rand() * 180,
      Math.floor(rand() * 90),
      0.3 + rand() * 20,
      rand() < 0.5 ? 1 : 0,
    ],
    i * 6,
  );
}
const inputs = join(dir, 'x.f32');
writeFileSync(inputs, Buffer.from(x.buffer));

// 1 and 2, interleaved (python, pool, python, pool) and the best of each taken, so a burst of
// load from elsewhere on the machine does not decide the ratio.
const pythonOrt = () =>
  JSON.parse(
    execFileSync(
      join(REPO_ROOT, '.venv/bin/python'),
      [join(REPO_ROOT, 'shadow-runner/bench/python_ort.py'), MODEL, inputs, '6', String(BATCH)],
      {
        encoding: 'utf8',
      },
    ),
  ) as { rows_per_second: number; onnxruntime: string };
const pool = new InferencePool({ ep: 'cpu' });
await pool.load('alone', MODEL);
const poolPass = async () => {
  const started = performance.now();
  for (let i = 0; i < ROWS; i += BATCH) {
    const n = Math.min(BATCH, ROWS - i);
    await pool.run('alone', {
      features: { type: 'float32', dims: [n, 6], data: x.slice(i * 6, (i + n) * 6) },
    });
  }
  return ROWS / ((performance.now() - started) / 1000);
};
await poolPass(); // warm-up
let python = pythonOrt();
let poolAlone = Math.max(await poolPass(), await poolPass(), await poolPass());
const again = pythonOrt();
if (again.rows_per_second > python.rows_per_second) python = again;
poolAlone = Math.max(poolAlone, await poolPass(), await poolPass(), await poolPass());
await pool.unload('alone');

// 3. The replay.
const store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
await migrate(store, { retentionDays: 3650 });
const models = createModels(store, {
  ...shadowEnv.parse({ OSPREY_EP: 'cpu' }),
  OSPREY_DATA_DIR: join(dir, 'data'),
});
await models.registry.push({
  model: 'houses',
  version: 'v2',
  body: readFileSync(MODEL),
  features: FEATURES,
  actor: 'bench',
});
const rows = Array.from({ length: ROWS }, (_, i) => {
  const f = x.subarray(i * 6, i * 6 + 6);
  return {
    event_id: randomUUID(),
    timestamp: T0 + i * 10,
    model: 'houses',
    version: 'v1',
    num_features: Object.fromEntries(FEATURES.slice(0, 5).map((name, j) => [name, f[j]])),
    bool_features: { has_garden: f[5] === 1 },
    prediction_num: 300_000 + rand() * 200_000,
  };
});
for (let i = 0; i < rows.length; i += 50_000)
  await store.insert('predictions', rows.slice(i, i + 50_000));
const runner = new ShadowRunner({
  store,
  registry: models.registry,
  pool,
  logger: pino({ level: 'silent' }),
  pollMs: 60_000,
});
const queued = await models.shadow.create(
  'houses',
  shadowRunRequest.parse({
    candidate_version: 'v2',
    from: T0,
    to: T0 + ROWS * 10,
    batch_size: BATCH,
  }),
  'bench',
);
const started = performance.now();
await runner.execute((await getShadowRun(store, queued.id))!);
const replay = Math.round(ROWS / ((performance.now() - started) / 1000));
const run = await models.shadow.require(queued.id);
if (run.status !== 'done') throw new Error(`replay ${run.status}: ${run.error}`);
if (run.summary!.rows !== ROWS)
  throw new Error(`replay scored ${String(run.summary!.rows)} rows, not ${ROWS}`);
const latency = run.summary!.latency as {
  inference_rows_per_second: number;
  p50_ms: number;
  p95_ms: number;
};
await pool.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

const ratio = (v: number) => `${(v / python.rows_per_second).toFixed(2)}×`;
console.log(
  `bench:shadow — ${ROWS} rows, batch ${BATCH}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), house_price_gbr.onnx`,
);
console.log(`| path | rows/s | vs python |`);
console.log('| --- | ---: | ---: |');
console.log(
  `| python onnxruntime ${python.onnxruntime}, session.run per batch | ${python.rows_per_second} | 1.00× |`,
);
console.log(
  `| shadow runner's pool alone (worker thread, transferred tensors) | ${Math.round(poolAlone)} | ${ratio(poolAlone)} |`,
);
console.log(
  `| replay end to end (chDB slices → pool → shadow_results → summary) | ${replay} | ${ratio(replay)} |`,
);
console.log(
  `| the pool's run time inside that replay (batch p50 ${latency.p50_ms.toFixed(2)} ms, p95 ${latency.p95_ms.toFixed(2)} ms) | ${latency.inference_rows_per_second} | ${ratio(latency.inference_rows_per_second)} |`,
);
