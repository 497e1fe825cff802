/**
 * bench:shadow — CPU replay rows/s of the tabular candidate (the gradient-boosted house-price
 * model) over logged traffic in chDB, against python onnxruntime on the same model and inputs in
 * the same run. Three figures: the whole replay (ClickHouse pages in, inference, shadow_results
 * out, summary), the pool's inference alone (sum of worker run times), and python ORT looping
 * session.run over the same batches (best of 3).
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

// Demo-like houses; the inputs python gets are exactly the tensors the replay builds.
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const x = new Float32Array(ROWS * 6);
const rows = [];
for (let i = 0; i < ROWS; i++) {
  const rooms = 1 + Math.floor(rand() * 7);
  const f = [
    rooms,
    Math.max(1, rooms - 1),
    20 + rand() * 180,
    Math.floor(rand() * 90),
    0.3 + rand() * 20,
    rand() < 0.5 ? 1 : 0,
  ];
  x.set(f, i * 6);
  rows.push({
    event_id: randomUUID(),
    timestamp: T0 + i * 10,
    model: 'houses',
    version: 'v1',
    num_features: {
      rooms: f[0],
      bedrooms: f[1],
      area_sqm: Math.fround(f[2]!),
      age_years: f[3],
      distance_to_center_km: Math.fround(f[4]!),
    },
    bool_features: { has_garden: f[5] === 1 },
    prediction_num: 300_000 + rand() * 200_000,
  });
}
for (let i = 0; i < rows.length; i += 50_000)
  await store.insert('predictions', rows.slice(i, i + 50_000));
const inputs = join(dir, 'x.f32');
writeFileSync(inputs, Buffer.from(x.buffer));

const pool = new InferencePool({ ep: 'cpu' });
const runner = new ShadowRunner({
  store,
  registry: models.registry,
  pool,
  logger: pino({ level: 'silent' }),
  pollMs: 60_000,
});
const request = shadowRunRequest.parse({
  candidate_version: 'v2',
  from: T0,
  to: T0 + ROWS * 10,
  batch_size: BATCH,
});
const queued = await models.shadow.create('houses', request, 'bench');
const started = performance.now();
await runner.execute((await getShadowRun(store, queued.id))!);
const seconds = (performance.now() - started) / 1000;
const run = await models.shadow.require(queued.id);
if (run.status !== 'done') throw new Error(`replay ${run.status}: ${run.error}`);
const latency = run.summary!.latency as {
  inference_rows_per_second: number;
  p50_ms: number;
  p95_ms: number;
};
const python = JSON.parse(
  execFileSync(
    join(REPO_ROOT, '.venv/bin/python'),
    [join(REPO_ROOT, 'shadow-runner/bench/python_ort.py'), MODEL, inputs, '6', String(BATCH)],
    { encoding: 'utf8' },
  ),
) as { rows_per_second: number; onnxruntime: string };
await pool.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

const replay = Math.round(ROWS / seconds);
console.log(
  `bench:shadow — ${ROWS} logged events, batch ${BATCH}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), model house_price_gbr.onnx`,
);
console.log(`| measure | rows/s | vs python ORT ${python.onnxruntime} |`);
console.log('| --- | ---: | ---: |');
console.log(
  `| replay end to end (chDB pages → pool → shadow_results → summary) | ${replay} | ${(replay / python.rows_per_second).toFixed(2)}× |`,
);
console.log(
  `| pool inference only (worker run time; batch p50 ${latency.p50_ms.toFixed(2)} ms, p95 ${latency.p95_ms.toFixed(2)} ms) | ${latency.inference_rows_per_second} | ${(latency.inference_rows_per_second / python.rows_per_second).toFixed(2)}× |`,
);
console.log(
  `| python onnxruntime, same model, inputs and batches | ${python.rows_per_second} | 1.00× |`,
);
