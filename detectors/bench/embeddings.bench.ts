// npm run bench:embeddings — embedding drift on vectors generated inside ClickHouse: BENCH_ROWS
// reference × BENCH_ROWS window vectors (default 1M) of BENCH_DIM components (default 384), the
// window with a drifted cluster. Osprey's whole detection (every method, the reference fitted
// and stored, then a repeat on the stored fit) runs in a process of its own (this file with
// `--detect`), so that its peak RSS (VmHWM: chDB's memory included) is the detection's alone;
// Evidently 0.7.23's four methods run on the same vectors (exported as RowBinary) in a Python
// subprocess, as EmbeddingsDriftMetric calls them, each timed, with its peak RSS. Evidently's MMD
// builds the (m + n)² kernel matrix: it runs only while that fits BENCH_EVIDENTLY_MMD_ROWS
// (default 10,000 rows in all), and is reported skipped otherwise.
// EVIDENTLY_PYTHON: a Python with evidently 0.7.23 (default .venv-bench, made as bench:drift
// makes it); BENCH_SKIP_EVIDENTLY=1.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Tables } from '@osprey/db';
import { detectEmbeddingDrift } from '../src/embeddings/detect-embeddings';
import { modelSettings } from '../src/settings/model-settings';
import { openBenchStore } from './store';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const ROWS = Number(process.env.BENCH_ROWS ?? process.env.ROWS ?? 1_000_000);
const DIM = Number(process.env.BENCH_DIM ?? 384);
const MMD_ROWS = Number(process.env.BENCH_EVIDENTLY_MMD_ROWS ?? 10_000);
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };
const settings = modelSettings.parse({ reference: { source: 'dataset', reference_id: 'bench' } });
const seconds = (since: number) => (performance.now() - since) / 1000;

if (process.argv[2] === '--detect') {
  // The child: detection on the data directory the parent filled, twice (fit, then stored fit).
  const store = await openBenchStore(process.argv[3]!);
  const timed = async () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const { document } = await detectEmbeddingDrift(store, settings, { model: 'bench', window });
    const used = process.cpuUsage(cpu);
    return { seconds: seconds(t), cpu: (used.user + used.system) / 1e6, document };
  };
  const first = await timed();
  const repeat = await timed();
  await store.close();
  const e = first.document.embeddings[0]!;
  console.log(
    JSON.stringify({
      first_s: first.seconds,
      first_cpu_s: first.cpu,
      repeat_s: repeat.seconds,
      repeat_cpu_s: repeat.cpu,
      drift: e.drift,
      methods: Object.fromEntries(
        Object.entries(e.methods ?? {}).map(([k, m]) => [k, { value: m.value, drift: m.drift }]),
      ),
      reason: e.reason ?? null,
    }),
  );
  process.exit(0);
}

/** A standard normal per (row, component, seed) from two hashes (Box–Muller): the same every run. */
const gaussian = (seed: number) =>
  `sqrt(-2 * log((cityHash64(${seed}, number, j, 1) % 4294967295 + 1) / 4294967296))
   * cos(2 * pi() * (cityHash64(${seed}, number, j, 2) % 4294967296) / 4294967296)`;
/** Sentence-embedding-like scale: component means 0.05 sin(j), spread 0.05. */
const vector = (seed: number, shift = '0') =>
  `arrayMap(j -> toFloat32(0.05 * sin(j) + 0.05 * ${gaussian(seed)} + ${shift}), range(${DIM}))`;

const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-embeddings-'));
const store = await openBenchStore(dir);
const t = performance.now();
await store.command(
  `INSERT INTO ${Tables.referenceEmbeddings}
   SELECT 'bench', 'v1', 'bench', fromUnixTimestamp64Milli(toInt64({from:Int64} - 86400000 + number), 'UTC'),
          'query', ${vector(1)}
   FROM numbers({rows:UInt64})`,
  { from, rows: ROWS },
);
// The window: a fifth of its rows from a cluster 0.05 off on the first 32 components.
await store.command(
  `INSERT INTO ${Tables.predictionEmbeddings}
   SELECT generateUUIDv4(number), fromUnixTimestamp64Milli(toInt64({from:Int64} + intDiv(number * 3600000, {rows:UInt64})), 'UTC'),
          'bench', 'v1', 'query', ${vector(2, 'if(number % 5 = 0 AND j < 32, 0.05, 0)')}
   FROM numbers({rows:UInt64})`,
  { from, rows: ROWS },
);
const generateSeconds = seconds(t);

let evidently: object | undefined;
if (!process.env.BENCH_SKIP_EVIDENTLY) {
  for (const [name, sql] of [
    [
      'reference',
      `SELECT vector FROM ${Tables.referenceEmbeddings} WHERE model = 'bench' ORDER BY timestamp`,
    ],
    [
      'current',
      `SELECT vector FROM ${Tables.predictionEmbeddings} WHERE model = 'bench' ORDER BY timestamp`,
    ],
  ] as const) {
    await store.command(
      `INSERT INTO FUNCTION file('${join(dir, `${name}.bin`)}', 'RowBinary', 'vector Array(Float32)') ${sql}`,
    );
  }
}
await store.close();

// tsx's loader in this very process (its CLI would run the file in a child of its own).
const osprey = await timedChild(process.execPath, [
  '--import',
  'tsx',
  join(import.meta.dirname, 'embeddings.bench.ts'),
  '--detect',
  dir,
]);

if (!process.env.BENCH_SKIP_EVIDENTLY) {
  const python = process.env.EVIDENTLY_PYTHON ?? join(ROOT, '.venv-bench', 'bin', 'python');
  if (!existsSync(python)) {
    console.error('creating .venv-bench with Evidently 0.7.23 (pandas < 3) from PyPI…');
    await run('python3', ['-m', 'venv', join(ROOT, '.venv-bench')]);
    await run(python, ['-m', 'pip', 'install', '-q', 'evidently==0.7.23', 'pandas<3', 'pyarrow'], {
      timeout: 900_000,
    });
  }
  evidently = await timedChild(python, [
    join(import.meta.dirname, 'evidently_embeddings.py'),
    join(dir, 'reference.bin'),
    join(dir, 'current.bin'),
    String(DIM),
    String(MMD_ROWS),
  ]);
}
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      rows: ROWS,
      dim: DIM,
      cores: cpus().length,
      memory_gib: Number((totalmem() / 2 ** 30).toFixed(1)),
      load_average: loadavg().map((l) => Number(l.toFixed(1))),
      generate_s: Number(generateSeconds.toFixed(2)),
      osprey,
      evidently,
      // Wall time on a loaded machine says as much about the neighbours as about the work: CPU
      // seconds (chDB's threads and numpy's included) beside it.
      speedup:
        evidently && 'total_s' in evidently
          ? Number(((evidently.total_s as number) / (osprey.first_s as number)).toFixed(1))
          : null,
      speedup_cpu:
        evidently && 'total_cpu_s' in evidently
          ? Number(((evidently.total_cpu_s as number) / (osprey.first_cpu_s as number)).toFixed(1))
          : null,
    },
    null,
    1,
  ),
);

/** A child's last stdout line (JSON), its wall time and its peak RSS (VmHWM, polled). */
async function timedChild(command: string, args: string[]): Promise<Record<string, unknown>> {
  const started = performance.now();
  const child = spawn(command, args, {
    env: {
      ...process.env,
      LOG_LEVEL: 'error',
      EVIDENTLY_DISABLE_TELEMETRY: '1',
      DO_NOT_TRACK: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKiB = Math.max(peakKiB, Number(hwm[1]));
    } catch {
      // the process just ended
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return {
    ...(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>),
    wall_s: Number(seconds(started).toFixed(2)),
    peak_rss_mib: Math.round(peakKiB / 1024),
  };
}
