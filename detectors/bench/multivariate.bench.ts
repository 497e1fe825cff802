// tsx detectors/bench/multivariate.bench.ts — multivariate drift (PCA reconstruction error) on
// data generated inside ClickHouse: BENCH_ROWS reference × BENCH_ROWS window rows (default 1M),
// 20 features (15 numeric, 5 categorical), as bench:drift. Times the first call (the reference
// fitted and stored) and a repeat (the stored fit, one pass over the window), in process on chDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectMultivariateDrift } from '../src/multivariate/detect-multivariate';
import { modelSettings } from '../src/settings/model-settings';
import { generateDriftData } from './generate';
import { openBenchStore } from './store';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const window = { from, to: from + HOUR };
const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-multivariate-'));
const store = await openBenchStore(dir);
await generateDriftData(store, { rows: ROWS, numeric: 15, categorical: 5, from });
const settings = modelSettings.parse({});
// CPU seconds of this process (chDB's threads included) beside wall time: on a shared machine
// the wall time says as much about the neighbours as about the work.
const timed = async () => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { document } = await detectMultivariateDrift(store, settings, { model: 'bench', window });
  const used = process.cpuUsage(cpu);
  return {
    seconds: (performance.now() - t) / 1000,
    cpu: (used.user + used.system) / 1e6,
    document,
  };
};
const first = await timed();
const repeats = [await timed(), await timed(), await timed()];
console.log(
  JSON.stringify(
    {
      rows: ROWS,
      cores: cpus().length,
      load_average: loadavg().map((l) => Number(l.toFixed(1))),
      first_s: Number(first.seconds.toFixed(3)),
      first_cpu_s: Number(first.cpu.toFixed(3)),
      repeat_s: repeats.map((r) => Number(r.seconds.toFixed(3))),
      repeat_cpu_s: repeats.map((r) => Number(r.cpu.toFixed(3))),
      value: first.document.value,
      components: first.document.components,
      alert: first.document.alert,
    },
    null,
    1,
  ),
);
await store.close();
rmSync(dir, { recursive: true, force: true });
