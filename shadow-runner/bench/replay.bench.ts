/**
 * bench:shadow — a whole replay (rows/s, end to end) against python onnxruntime's session.run
 * over the same inputs and batches, for two candidates: the 60-tree gradient-boosted house-price
 * model (6 features) and the ~1M-parameter benchmark MLP (32 features, make_models.py --mlp).
 * Per model, in one run:
 *   1. python onnxruntime looping session.run over the inputs in batches;
 *   2. the shadow runner's inference pool alone over the same batches (worker thread, transfers),
 *      interleaved with 1, best pass of each;
 *   3. a whole replay of the same events logged in chDB (slices read as RowBinary, tensors built,
 *      inference, results written to shadow_batches and the kept events to shadow_results, the
 *      summary aggregated), with its busy time per stage (the stages overlap).
 * Production's logged answer is the candidate's own for 98% of events and 5% off for 2% (a
 * compressed candidate close to production): those 2% disagree and are kept as rows, with the
 * ~10,000-event sample. DISAGREE=1 logs unrelated numbers instead (every event kept: worst case).
 *
 *   npm run bench:shadow   # ROWS=200000 (GBR) MLP_ROWS=50000 BATCH=4096 MODELS=gbr,mlp by default
 *   SPIN=off npm run bench:shadow   # the pool's intra-op threads sleep when idle (OSPREY_INFERENCE_SPIN)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getShadowRun, storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import pino from 'pino';
import { shadowRunRequest } from '../src/api';
import { shadowEnv } from '../src/config';
import { defaultTuning } from '../src/inference/ep';
import { InferencePool } from '../src/inference/pool';
import { createModels, type Models } from '../src/models';
import { ShadowRunner } from '../src/replay/runner';
import { FIXTURE_MODELS, HOUSE_FEATURES, REPO_ROOT } from '../src/testing/python';

const GBR_ROWS = Number(process.env.ROWS ?? 200_000);
// 2M FLOPs an event: 200,000 of them take minutes a pass on 2 cores.
const MLP_ROWS = Number(process.env.MLP_ROWS ?? 50_000);
let ROWS = GBR_ROWS;
const BATCH = Number(process.env.BATCH ?? 4096);
const MODELS = (process.env.MODELS ?? 'gbr,mlp').split(',');
const DISAGREE = process.env.DISAGREE === '1';
const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-shadow-'));
const T0 = Date.parse('2026-01-01T00:00:00Z');
const PYTHON = join(REPO_ROOT, '.venv/bin/python');

interface Candidate {
  name: string;
  file: string;
  features: string[];
  rows: number;
  /** One event's features. */
  make: (rand: () => number) => number[];
}

function candidates(): Candidate[] {
  const mlpPath = join(dir, 'mlp_1m.onnx');
  const all: Record<string, () => Candidate> = {
    gbr: () => ({
      name: 'house_price_gbr.onnx (60 trees)',
      file: join(FIXTURE_MODELS, 'house_price_gbr.onnx'),
      features: HOUSE_FEATURES,
      rows: GBR_ROWS,
      make: (rand) => {
        const rooms = 1 + Math.floor(rand() * 7);
        const garden = rand() < 0.5 ? 1 : 0;
        const area = 20 + rand() * 180;
        const age = Math.floor(rand() * 90);
        return [rooms, Math.max(1, rooms - 1), area, age, 0.3 + rand() * 20, garden];
      },
    }),
    mlp: () => {
      execFileSync(PYTHON, [
        join(REPO_ROOT, 'shadow-runner/fixtures/make_models.py'),
        '--mlp',
        mlpPath,
      ]);
      return {
        name: 'mlp_1m.onnx (32 → 1024 → 1024 → 1)',
        file: mlpPath,
        features: Array.from({ length: 32 }, (_, j) => `f${j}`),
        rows: MLP_ROWS,
        make: (rand) => Array.from({ length: 32 }, () => rand() * 2 - 1),
      };
    },
  };
  return MODELS.map((m) => {
    const make = all[m];
    if (!make) throw new Error(`MODELS: unknown model "${m}" (gbr, mlp)`);
    return make();
  });
}

const store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
await migrate(store, { retentionDays: 3650 });
const models = createModels(store, {
  ...shadowEnv.parse({ OSPREY_EP: 'cpu' }),
  OSPREY_DATA_DIR: join(dir, 'data'),
});
const pool = new InferencePool({ ep: 'cpu', tuning: defaultTuning(1, process.env.SPIN !== 'off') });
const lines: string[] = [];
const load = loadavg().map((l) => l.toFixed(1));
for (const [k, candidate] of candidates().entries())
  lines.push(...(await bench(candidate, `m${k}`, T0 + k * 86_400_000)));
await pool.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `bench:shadow — batch ${BATCH}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${load.join(' ')} at start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at end${DISAGREE ? ', every event disagreeing' : ''}`,
);
for (const line of lines) console.log(line);

async function bench(candidate: Candidate, model: string, t0: number): Promise<string[]> {
  ROWS = candidate.rows;
  const width = candidate.features.length;
  // Demo-like inputs; python and the pool get exactly the tensors the replay builds.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const x = new Float32Array(ROWS * width);
  for (let i = 0; i < ROWS; i++) x.set(candidate.make(rand), i * width);
  const inputs = join(dir, `${model}.f32`);
  writeFileSync(inputs, Buffer.from(x.buffer));

  // 1 and 2, interleaved (python, pool, python, pool) and the best of each taken, so a burst of
  // load from elsewhere on the machine does not decide the ratio.
  const pythonOrt = () =>
    JSON.parse(
      execFileSync(
        PYTHON,
        [
          join(REPO_ROOT, 'shadow-runner/bench/python_ort.py'),
          candidate.file,
          inputs,
          String(width),
          String(BATCH),
        ],
        { encoding: 'utf8' },
      ),
    ) as { rows_per_second: number; cpu_ms_per_4096: number; onnxruntime: string };
  await pool.load('alone', candidate.file);
  const outputs = new Float64Array(ROWS);
  const poolPass = async () => {
    const started = performance.now();
    for (let i = 0; i < ROWS; i += BATCH) {
      const n = Math.min(BATCH, ROWS - i);
      const result = await pool.run('alone', {
        features: { type: 'float32', dims: [n, width], data: x.slice(i * width, (i + n) * width) },
      });
      const out = Object.values(result.outputs)[0]!.data as Float32Array;
      for (let j = 0; j < n; j++) outputs[i + j] = out[j]!;
    }
    return ROWS / ((performance.now() - started) / 1000);
  };
  await poolPass(); // warm-up
  let python = pythonOrt();
  let poolAlone = Math.max(await poolPass(), await poolPass(), await poolPass());
  const again = pythonOrt();
  if (again.rows_per_second > python.rows_per_second) python = { ...again };
  python.cpu_ms_per_4096 = Math.min(python.cpu_ms_per_4096, again.cpu_ms_per_4096);
  poolAlone = Math.max(poolAlone, await poolPass(), await poolPass(), await poolPass());
  await pool.unload('alone');

  // 3. The replay.
  await models.registry.push({
    model,
    version: 'v2',
    body: readFileSync(candidate.file),
    features: candidate.features,
    actor: 'bench',
  });
  await logEvents(store, model, t0, x, width, candidate.features, (i) =>
    DISAGREE ? 300_000 + rand() * 200_000 : i % 50 === 0 ? outputs[i]! * 1.05 + 1 : outputs[i]!,
  );
  const cpu = process.cpuUsage();
  const replayed = await replay(models, model, t0);
  const { user, system } = process.cpuUsage(cpu);
  const replayCpu = ((user + system) / 1000 / ROWS) * 4096;
  const { latency, stages_ms: stages } = replayed.summary as {
    latency: { inference_rows_per_second: number; p50_ms: number; p95_ms: number };
    stages_ms: {
      scoring: number;
      read: number;
      infer: number;
      prepare_and_compare: number;
      write: number;
      summarize: number;
    };
  };
  const kept = await store.query<{ n: string }>(
    `SELECT count() AS n FROM shadow_results WHERE run_id = toUUID({id:String})`,
    { id: replayed.id },
  );

  const ratio = (v: number) => `${(v / python.rows_per_second).toFixed(2)}×`;
  const perK = (ms: number) => ((ms / ROWS) * 4096).toFixed(1);
  return [
    '',
    `${candidate.name}, ${ROWS} events: ${Number(kept[0]!.n)} kept as shadow_results rows`,
    `| path | rows/s | vs python |`,
    '| --- | ---: | ---: |',
    `| python onnxruntime ${python.onnxruntime}, session.run per batch | ${python.rows_per_second} | 1.00× |`,
    `| shadow runner's pool alone (worker thread, transferred tensors) | ${Math.round(poolAlone)} | ${ratio(poolAlone)} |`,
    `| **replay end to end** (${replayed.seconds.toFixed(2)} s) | **${replayed.rowsPerSecond}** | **${ratio(replayed.rowsPerSecond)}** |`,
    `| the pool's run time inside that replay (batch p50 ${latency.p50_ms.toFixed(2)} ms, p95 ${latency.p95_ms.toFixed(2)} ms) | ${latency.inference_rows_per_second} | ${ratio(latency.inference_rows_per_second)} |`,
    `CPU time per 4,096 events, every thread (less distorted by load than rows/s): python ${python.cpu_ms_per_4096.toFixed(1)} ms, replay ${replayCpu.toFixed(1)} ms (${(python.cpu_ms_per_4096 / replayCpu).toFixed(2)}×)`,
    `ms per 4,096 events: scoring (wall, first read to last write) ${perK(stages.scoring)}; busy, overlapping: read ${perK(stages.read)}, infer ${perK(stages.infer)}, tensors + compare ${perK(stages.prepare_and_compare)}, write ${perK(stages.write)}; then the summary ${stages.summarize} ms in all`,
  ];
}

async function logEvents(
  store: Store,
  model: string,
  t0: number,
  x: Float32Array,
  width: number,
  features: string[],
  logged: (i: number) => number,
): Promise<void> {
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const f = x.subarray(i * width, i * width + width);
    const isHouse = features === HOUSE_FEATURES;
    return {
      event_id: randomUUID(),
      timestamp: t0 + i * 10,
      model,
      version: 'v1',
      num_features: Object.fromEntries(
        features.slice(0, isHouse ? 5 : width).map((name, j) => [name, f[j]]),
      ),
      bool_features: isHouse ? { has_garden: f[5] === 1 } : {},
      prediction_num: logged(i),
    };
  });
  for (let i = 0; i < rows.length; i += 50_000)
    await store.insert('predictions', rows.slice(i, i + 50_000));
  // A replay reads settled history: the parts just inserted are merged before it is timed, so
  // their background merges do not run inside the replay's time.
  await store.command('OPTIMIZE TABLE predictions FINAL');
}

async function replay(models: Models, model: string, t0: number) {
  const runner = new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: pino({ level: 'silent' }),
    pollMs: 60_000,
  });
  const queued = await models.shadow.create(
    model,
    shadowRunRequest.parse({
      candidate_version: 'v2',
      from: t0,
      to: t0 + ROWS * 10,
      batch_size: BATCH,
    }),
    'bench',
  );
  const started = performance.now();
  await runner.execute((await getShadowRun(store, queued.id))!);
  const seconds = (performance.now() - started) / 1000;
  const run = await models.shadow.require(queued.id);
  if (run.status !== 'done') throw new Error(`replay ${run.status}: ${run.error}`);
  if (run.summary!.rows !== ROWS)
    throw new Error(`replay scored ${String(run.summary!.rows)} rows, not ${ROWS}`);
  return { id: run.id, seconds, rowsPerSecond: Math.round(ROWS / seconds), summary: run.summary! };
}
