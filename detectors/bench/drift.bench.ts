// npm run bench:drift — the drift report on data generated inside ClickHouse, two parts:
// 1. 1M reference × 1M current rows, 20 features (15 numeric, 5 categorical) + the prediction:
//    Osprey's full drift report (detectDrift, in process on chDB) against Evidently's
//    DataDriftPreset on the same rows (exported to Parquet; a venv of its own, .venv-bench,
//    because Evidently 0.7 needs pandas < 3), in the same run; then, on the same data dir, the
//    whole `POST /api/v1/models/bench/detect` of a running `osprey start` measured from outside
//    (every detector: drift, operational, performance, CBPE on the labelled reference, PCA
//    multivariate drift, data quality; stored), first call (every fit computed) and repeats.
// 2. 10M rows × 100 features (1M reference rows): `osprey detect` as its own process, wall time
//    and peak RSS.
// BENCH_ROWS / BENCH_BIG_ROWS / BENCH_BIG_FEATURES resize the parts; BENCH_SKIP_EVIDENTLY=1.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Tables } from '@osprey/db';
import { detectDrift } from '../src/drift/detect-drift';
import { modelSettings } from '../src/settings/model-settings';
import { generateDriftData } from './generate';
import { startOsprey } from '../../test/support/osprey-process';
import { assertFreshDashboardBuild } from './fresh-build';
import { openBenchStore } from './store';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 10_000_000);
const BIG_FEATURES = Number(process.env.BENCH_BIG_FEATURES ?? 100);
const REPEATS = 5;
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };
const settings = modelSettings.parse({});

const seconds = (since: number) => (performance.now() - since) / 1000;
assertFreshDashboardBuild(ROOT);

// Part 1: Osprey against Evidently.
const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-drift-'));
const store = await openBenchStore(dir);
let t = performance.now();
await generateDriftData(store, { rows: ROWS, numeric: 15, categorical: 5, from, classifier: true });
const generateSeconds = seconds(t);
t = performance.now();
const first = await detectDrift(store, settings, { model: 'bench', window });
const firstSeconds = seconds(t);
t = performance.now();
const second = await detectDrift(store, settings, { model: 'bench', window });
const secondSeconds = seconds(t);
const columns = (table: string) =>
  `SELECT ${Array.from({ length: 15 }, (_, i) => `num_features['num_${i}'] AS num_${i}`).join(', ')},
          ${Array.from({ length: 5 }, (_, i) => `cat_features['cat_${i}'] AS cat_${i}`).join(', ')},
          prediction_num AS prediction
   FROM ${table} WHERE model = 'bench'`;
let evidently: { seconds: number; drifted_columns: number | null } | undefined;
if (!process.env.BENCH_SKIP_EVIDENTLY) {
  const python = join(ROOT, '.venv-bench', 'bin', 'python');
  if (!existsSync(python)) {
    console.error('creating .venv-bench with Evidently 0.7.23 (pandas < 3) from PyPI…');
    await run('python3', ['-m', 'venv', join(ROOT, '.venv-bench')]);
    await run(python, ['-m', 'pip', 'install', '-q', 'evidently==0.7.23', 'pandas<3', 'pyarrow'], {
      timeout: 900_000,
    });
  }
  for (const [name, table] of [
    ['reference', Tables.referenceRows],
    ['current', Tables.predictions],
  ] as const) {
    await store.command(
      `INSERT INTO FUNCTION file('${join(dir, `${name}.parquet`)}', Parquet) ${columns(table)}`,
    );
  }
  const { stdout } = await run(
    python,
    [
      join(import.meta.dirname, 'evidently_drift.py'),
      join(dir, 'reference.parquet'),
      join(dir, 'current.parquet'),
    ],
    { timeout: 3_600_000, maxBuffer: 1 << 20 },
  );
  evidently = JSON.parse(stdout.trim().split('\n').at(-1)!) as typeof evidently;
}
// The POST below fits every family itself, as a model's first detection does.
await store.command(`TRUNCATE TABLE ${Tables.referenceProfiles}`);
await store.command(`TRUNCATE TABLE ${Tables.referenceFits}`);
await store.close();
const detectCall = await timedDetectCalls(dir);
rmSync(dir, { recursive: true, force: true });

// Part 2: 10M × 100 in a detector process of its own.
const bigDir = mkdtempSync(join(tmpdir(), 'osprey-bench-drift-big-'));
const bigStore = await openBenchStore(bigDir);
t = performance.now();
await generateDriftData(bigStore, {
  rows: Math.min(BIG_ROWS, 1_000_000),
  numeric: Math.round(BIG_FEATURES * 0.75),
  categorical: BIG_FEATURES - Math.round(BIG_FEATURES * 0.75),
  from,
});
if (BIG_ROWS > 1_000_000) {
  // The reference stays at 1M rows; the current window grows to BIG_ROWS.
  await bigStore.command(
    `INSERT INTO ${Tables.predictions}
     SELECT p.* REPLACE (generateUUIDv4(c.number) AS event_id)
     FROM ${Tables.predictions} AS p CROSS JOIN numbers({copies:UInt64}) AS c
     WHERE p.model = 'bench'`,
    { copies: Math.ceil(BIG_ROWS / 1_000_000) - 1 },
  );
}
const [{ n: bigCurrent }] = (await bigStore.query<{ n: string }>(
  `SELECT count() AS n FROM ${Tables.predictions} WHERE model = 'bench'`,
)) as [{ n: string }];
const bigGenerateSeconds = seconds(t);
await bigStore.close();
const big = await timedDetect(bigDir);
rmSync(bigDir, { recursive: true, force: true });

/**
 * `osprey start` on the data dir (scheduler off), and the whole POST …/detect of part 1's window
 * timed from this process: the first call, then REPEATS more (their median). Also says which
 * families produced a value, so a family that silently skipped would show.
 */
async function timedDetectCalls(
  dataDir: string,
): Promise<{ first: number; repeat: number; repeats: number[]; families: string }> {
  const osprey = await startOsprey({ dataDir, env: { OSPREY_DETECTORS: 'off' } });
  try {
    const call = async () => {
      const t0 = performance.now();
      const res = await fetch(`${osprey.url}/api/v1/models/bench/detect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${osprey.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: new Date(window.from).toISOString(),
          to: new Date(window.to).toISOString(),
        }),
      });
      const body = (await res.json()) as { windows: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (res.status !== 200)
        throw new Error(`detect answered ${res.status}: ${JSON.stringify(body)}`);
      return { seconds: seconds(t0), window: body.windows[0]! };
    };
    const first = await call();
    const repeats: number[] = [];
    for (let i = 0; i < REPEATS; i++) repeats.push((await call()).seconds);
    const w = first.window;
    const families = [
      `drift ${w.drift.features.filter((f: { drift: boolean }) => f.drift).length} of ${w.drift.features.length} drifted`,
      `CBPE ${w.estimated_performance.method} roc_auc ${w.estimated_performance.metrics?.roc_auc?.value?.toFixed(3) ?? w.estimated_performance.reason}`,
      `multivariate error ${w.multivariate_drift.value?.toFixed(3) ?? w.multivariate_drift.reason}`,
      `quality ${w.quality.features?.length ?? 0} features checked`,
    ].join('; ');
    const sorted = [...repeats].sort((a, b) => a - b);
    return {
      first: first.seconds,
      repeat: sorted[Math.floor(sorted.length / 2)]!,
      repeats,
      families,
    };
  } finally {
    await osprey.stop();
  }
}

/** `osprey detect` on the data dir, with its wall time and peak RSS (VmHWM, polled). */
async function timedDetect(
  dataDir: string,
): Promise<{ seconds: number; peakMiB: number; features: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'cli', 'bin', 'osprey.js'),
      'detect',
      '--model',
      'bench',
      '--from',
      new Date(window.from).toISOString(),
      '--to',
      new Date(window.to).toISOString(),
    ],
    {
      env: { ...process.env, OSPREY_DATA_DIR: dataDir, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
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
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`osprey detect exited with ${code}`);
  // osprey detect prints every window of the range (widened to the model's windows).
  const detection = JSON.parse(out) as { windows: { drift: { features: unknown[] } }[] };
  return {
    seconds: seconds(started),
    peakMiB: Math.round(peakKiB / 1024),
    features: Math.max(0, ...detection.windows.map((w) => w.drift.features.length)),
  };
}

const drifted = (r: typeof first) => r.features.filter((f) => f.drift).length;
console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log(
  `part 1: ${ROWS.toLocaleString('en-US')} reference × ${ROWS.toLocaleString('en-US')} current rows, 15 numeric + 5 categorical features + prediction (generated in ${generateSeconds.toFixed(1)} s)`,
);
console.log('| drift report | seconds | drifted features |');
console.log('| --- | ---: | ---: |');
console.log(
  `| Osprey, first window (reference profile computed) | ${firstSeconds.toFixed(2)} | ${drifted(first)} of ${first.features.length} |`,
);
console.log(
  `| Osprey, next window (profile reused) | ${secondSeconds.toFixed(2)} | ${drifted(second)} of ${second.features.length} |`,
);
if (evidently) {
  console.log(
    `| Evidently 0.7.23 DataDriftPreset (Report.run only) | ${evidently.seconds.toFixed(2)} | ${evidently.drifted_columns ?? '?'} of 21 columns |`,
  );
  console.log(
    `ratio Evidently / Osprey: ${(evidently.seconds / firstSeconds).toFixed(1)}× (first window), ${(evidently.seconds / secondSeconds).toFixed(1)}× (profile reused)`,
  );
}
console.log(
  `| whole POST …/detect, first call (every family fitted) | ${detectCall.first.toFixed(2)} | |`,
);
console.log(
  `| whole POST …/detect, repeat (median of ${REPEATS}: ${detectCall.repeats.map((x) => x.toFixed(2)).join(', ')}) | ${detectCall.repeat.toFixed(2)} | |`,
);
console.log(`detect call: ${detectCall.families}`);
if (evidently) {
  console.log(
    `ratio Evidently / whole detect call: ${(evidently.seconds / detectCall.first).toFixed(1)}× (first), ${(evidently.seconds / detectCall.repeat).toFixed(1)}× (repeat)`,
  );
}
console.log(
  `part 2: ${Number(bigCurrent).toLocaleString('en-US')} current rows × ${BIG_FEATURES} features, 1,000,000 reference rows (generated in ${bigGenerateSeconds.toFixed(1)} s)`,
);
console.log(
  `| osprey detect (own process, all detectors) | ${big.seconds.toFixed(1)} s | peak RSS ${big.peakMiB} MiB | ${big.features} features |`,
);
