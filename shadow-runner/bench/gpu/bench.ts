/**
 * CPU vs GPU rows/s for one model through the shadow runner's own inference pool (worker thread,
 * session options, placement probe), for each execution provider and batch size:
 *
 *   node bench.mjs --model mlp_1m.onnx --eps cpu,webgpu,cuda --batches 1,64,1024,8192 \
 *     [--workers 1] [--inflight 1] [--isolation thread|process] [--webgpu '{"validationMode":…}']
 *     [--out r.json]
 *
 * `--workers` sessions (one per worker thread, or per child process with `--isolation process`)
 * with `--inflight` batches kept in flight across them: a GPU call's fixed cost (dispatch,
 * read-back) overlaps with other batches' work, as the replay runner keeps several batches in
 * flight. WebGPU gets more than one session only with processes (one per process).
 *
 * Bundled with esbuild by pack.sh so it runs with a bare node binary on the GPU machine; runs
 * from source too (`npx tsx shadow-runner/bench/gpu/bench.ts …`). Latency is measured on the main
 * thread around pool.run(), so it includes the worker hop and the tensor transfers.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  InferencePool,
  type EpChoice,
  defaultTuning,
  type Isolation,
  type WebGpuOptions,
  type WireTensor,
} from '../../src/inference/index';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    eps: { type: 'string', default: 'cpu,webgpu,cuda' },
    batches: { type: 'string', default: '1,64,1024,8192' },
    seconds: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    inflight: { type: 'string' },
    isolation: { type: 'string', default: 'thread' },
    webgpu: { type: 'string', default: '{}' },
    out: { type: 'string' },
  },
});
if (!values.model) throw new Error('--model is required');
const eps = values.eps.split(',') as EpChoice[];
const batches = values.batches.split(',').map(Number);
const minSeconds = Number(values.seconds);
const workers = Number(values.workers);
const inflight = Number(values.inflight ?? values.workers);
const isolation = values.isolation as Isolation;
const webgpu = JSON.parse(values.webgpu) as WebGpuOptions;

interface Row {
  ep: string;
  isolation?: Isolation;
  webgpu?: WebGpuOptions;
  workers?: number;
  inflight?: number;
  provider?: string;
  nodes?: Record<string, number>;
  loadMs?: number;
  error?: string;
  batch?: number;
  iterations?: number;
  rowsPerSecond?: number;
  p50Ms?: number;
  p95Ms?: number;
  workerP50Ms?: number;
  maxAbsDiffVsCpu?: number | null;
}

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const rows: Row[] = [];
const cpuOutputs = new Map<number, Float32Array>();

for (const ep of eps) {
  const pool = new InferencePool({
    ep,
    workers,
    isolation,
    tuning: { ...defaultTuning(workers), webgpu },
  });
  try {
    const loaded = await pool.load('bench', values.model);
    const input = loaded.signature.inputs[0]!;
    const width = input.shape
      .slice(1)
      .reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
    const outputName = loaded.signature.outputs[0]!.name;
    const base = {
      ep,
      isolation,
      webgpu,
      workers,
      inflight,
      provider: loaded.placement.provider,
      nodes: loaded.placement.nodes,
      loadMs: Math.round(loaded.loadMs),
    };
    for (const batch of batches) {
      const next = random(batch);
      const data = Float32Array.from({ length: batch * width }, next);
      const feeds = (): Record<string, WireTensor> => ({
        [input.name]: { type: 'float32', dims: [batch, width], data: data.slice() },
      });
      let first: Float32Array | undefined;
      for (let i = 0; i < 3 * workers; i++) {
        const r = await pool.run('bench', feeds());
        first ??= r.outputs[outputName]!.data as Float32Array;
      }
      const latencies: number[] = [];
      const workerMs: number[] = [];
      const started = performance.now();
      const deadline = started + minSeconds * 1000;
      const lane = async () => {
        while ((performance.now() < deadline || latencies.length < 5) && latencies.length < 5000) {
          const f = feeds();
          const t0 = performance.now();
          const r = await pool.run('bench', f);
          latencies.push(performance.now() - t0);
          workerMs.push(r.runMs);
        }
      };
      await Promise.all(Array.from({ length: inflight }, lane));
      const elapsed = performance.now() - started;
      if (ep === 'cpu') cpuOutputs.set(batch, first!);
      const reference = cpuOutputs.get(batch);
      let diff: number | null = null;
      if (reference && first) {
        diff = 0;
        for (let i = 0; i < reference.length; i++)
          diff = Math.max(diff, Math.abs(reference[i]! - first[i]!));
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      rows.push({
        ...base,
        batch,
        iterations: latencies.length,
        rowsPerSecond: Math.round((batch * latencies.length) / (elapsed / 1000)),
        p50Ms: +quantile(sorted, 0.5).toFixed(3),
        p95Ms: +quantile(sorted, 0.95).toFixed(3),
        workerP50Ms: +quantile(
          [...workerMs].sort((a, b) => a - b),
          0.5,
        ).toFixed(3),
        maxAbsDiffVsCpu: diff,
      });
    }
  } catch (error) {
    rows.push({ ep, error: (error as Error).message.slice(0, 400) });
  } finally {
    await pool.close();
  }
}

const header = [
  'ep',
  'isolation workers×inflight',
  'provider',
  'batch',
  'rows/s',
  'p50 ms',
  'p95 ms',
  'worker p50',
  'max|diff| vs cpu',
  'nodes',
  'webgpu options',
];
console.log(header.join('\t'));
for (const r of rows) {
  if (r.error) console.log(`${r.ep}\tFAILED\t${r.error}`);
  else
    console.log(
      [
        r.ep,
        `${r.isolation} ${r.workers}×${r.inflight}`,
        r.provider,
        r.batch,
        r.rowsPerSecond,
        r.p50Ms,
        r.p95Ms,
        r.workerP50Ms,
        r.maxAbsDiffVsCpu ?? '-',
        JSON.stringify(r.nodes),
        r.ep === 'cpu' ? '' : JSON.stringify(r.webgpu),
      ].join('\t'),
    );
}
const cpu1024 = rows.find((r) => r.ep === 'cpu' && r.batch === 1024)?.rowsPerSecond;
for (const r of rows)
  if (r.ep !== 'cpu' && r.batch === 1024 && r.rowsPerSecond && cpu1024)
    console.log(
      `${r.ep} (${r.provider}) at batch 1024: ${(r.rowsPerSecond / cpu1024).toFixed(2)}x CPU`,
    );
if (values.out) writeFileSync(values.out, JSON.stringify({ model: values.model, rows }, null, 2));
