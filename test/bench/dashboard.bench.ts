// npm run bench:dashboard — response times of the dashboard's Overview and Model (timeseries) data
// over 100M logged predictions. The predictions are generated inside ClickHouse (INSERT … SELECT
// from numbers()) into predictions_landing, so they take the product's path: the landing view into
// predictions, the rollup views into predictions_1m and predictions_1h, and (house-price
// configures `region` as a segment first, as a team would) predictions_segments_1m/1h. Then, for
// ranges of 1 h,
// 24 h, 7 d and 30 d ending at the newest event (not aligned on a minute, like "now"):
//   1. loadOverview / loadTimeseries (what the route handlers call) in this process, reading the
//      rollups (auto) and predictions only (raw), interleaved; p50 / p95 and the ratio;
//   2. the real route handlers over HTTP in an `osprey start` child process on the same data.
// BENCH_ROWS (default 100M) and BENCH_DIR (default a fresh temp dir; an existing one with data is
// reused) change the run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { storeEnv, type Store } from '@osprey/db';
import { saveSettings } from '@osprey/detectors';
import { loadOverview } from '../../web/lib/dashboard/overview';
import { loadTimeseries, niceStep } from '../../web/lib/dashboard/timeseries';
import type { WebRuntime } from '../../web/server/runtime';
import { startOsprey } from '../support/osprey-process';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000_000);
const CHUNK = 10_000_000;
const DAY = 86_400_000;
const SPAN = 30 * DAY;
const RANGES: [string, number][] = [
  ['1h', DAY / 24],
  ['24h', DAY],
  ['7d', 7 * DAY],
  ['30d', 30 * DAY],
];
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'osprey-bench-dashboard-'));
const keep = process.env.BENCH_DIR !== undefined;

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/**
 * 100M predictions over the 30 days before `end`, in time order: five models with their own
 * traffic share, latency (log-normal) and error rate; v2 of two models from day 20 on half the
 * traffic; an error spike and a latency spike; four numeric and one categorical feature; tags.
 */
async function generate(store: Store, end: number): Promise<number> {
  const started = performance.now();
  for (let offset = 0; offset < ROWS; offset += CHUNK) {
    const n = Math.min(CHUNK, ROWS - offset);
    await store.command(
      `INSERT INTO predictions_landing
       (event_id, timestamp, model, version, num_features, cat_features, bool_features,
        null_features, prediction_num, prediction_label, prediction_vec, latency_ms, error, tags,
        request_id)
       SELECT generateUUIDv4(number), ts, model, version,
              map('rooms', toFloat64(1 + h % 7), 'area_sqm', round(40 + (h % 1600) / 10, 1),
                  'age_years', toFloat64(h % 80), 'distance_km', round((h % 300) / 10, 1)),
              map('city', ['north', 'south', 'east', 'west', 'centre'][1 + h % 5]),
              map(), [], round(100000 + (h % 400000), 0), NULL, [],
              if(h % 997 = 0, NULL, round(base * exp(((h % 1000) / 1000 - 0.5) * 1.6)
                 * if(day = 25 AND hour BETWEEN 9 AND 11, 4, 1), 2)),
              if(bitShiftRight(h, 20) % 1000 < if(day = 22, 60, err), 'upstream timeout', ''),
              map('region', ['eu', 'us', 'apac'][1 + bitShiftRight(h, 10) % 3],
                  'channel', if(bitShiftRight(h, 12) % 4 = 0, 'app', 'web')),
              ''
       FROM (
         SELECT number,
                fromUnixTimestamp64Milli(toInt64({start:Int64} + number * {spacing:Float64}), 'UTC') AS ts,
                cityHash64(number) AS h,
                intDiv(number * {days:UInt64}, {rows:UInt64}) AS day,
                toHour(ts) AS hour,
                multiIf(h % 100 < 40, 'house-price', h % 100 < 65, 'fraud', h % 100 < 80, 'churn',
                        h % 100 < 92, 'recommender', 'eta') AS model,
                if(model IN ('house-price', 'fraud') AND day >= 20 AND bitShiftRight(h, 8) % 2 = 1, 'v2', 'v1') AS version,
                multiIf(model = 'house-price', 12., model = 'fraud', 4., model = 'churn', 30.,
                        model = 'recommender', 60., 8.) AS base,
                multiIf(model = 'fraud', 8, model = 'eta', 3, 5) AS err
         FROM numbers({offset:UInt64}, {n:UInt64})
       )`,
      { start: end - SPAN, spacing: SPAN / ROWS, days: 30, rows: ROWS, offset, n },
    );
    const done = offset + n;
    const s = (performance.now() - started) / 1000;
    console.log(`  ${(done / 1e6).toFixed(0)}M rows in ${s.toFixed(0)} s`);
  }
  return (performance.now() - started) / 1000;
}

interface Case {
  name: string;
  run(source: 'auto' | 'raw'): Promise<unknown>;
}

/** p50 / p95 of each case with rollups (auto) and raw rows, runs of the two interleaved. */
async function measureInProcess(cases: Case[]): Promise<void> {
  console.log('\nin process (loadOverview / loadTimeseries):');
  console.log(
    'case                          | rollups p50 / p95 ms | raw p50 / p95 ms | p95 ratio',
  );
  for (const c of cases) {
    const times = { auto: [] as number[], raw: [] as number[] };
    await c.run('auto');
    await c.run('raw');
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      for (const source of ['auto', 'raw'] as const) {
        const t = performance.now();
        await c.run(source);
        times[source].push(performance.now() - t);
      }
      if (i >= 4 && performance.now() - started > 60_000) break;
    }
    const a = times.auto.sort((x, y) => x - y);
    const r = times.raw.sort((x, y) => x - y);
    console.log(
      `${c.name.padEnd(29)} | ${ms(percentile(a, 0.5)).padStart(8)} / ${ms(percentile(a, 0.95)).padEnd(9)} | ` +
        `${ms(percentile(r, 0.5)).padStart(7)} / ${ms(percentile(r, 0.95)).padEnd(7)} | ` +
        `${(percentile(r, 0.95) / percentile(a, 0.95)).toFixed(1)}x  (${a.length} runs each)`,
    );
  }
}

async function measureHttp(end: number): Promise<void> {
  const osprey = await startOsprey({
    dataDir: dir,
    env: { LOG_LEVEL: 'error', OSPREY_DETECTORS: 'off' },
  });
  try {
    console.log('\nHTTP (route handlers in `osprey start`, rollups):');
    console.log('request                                   | p50 ms | p95 ms');
    for (const [label, span] of RANGES) {
      const q = `from=${new Date(end - span).toISOString()}&to=${new Date(end).toISOString()}`;
      const step = niceStep(span);
      for (const [name, path] of [
        [`overview ${label} (24 buckets)`, `/api/v1/overview?${q}&buckets=24`],
        [
          `house-price timeseries ${label} (step ${step} s)`,
          `/api/v1/models/house-price/timeseries?${q}&step=${step}`,
        ],
        [
          `house-price region=eu ${label} (step ${step} s)`,
          `/api/v1/models/house-price/timeseries?${q}&step=${step}&tag=region&value=eu`,
        ],
      ] as const) {
        const times: number[] = [];
        for (let i = 0; i < 31; i++) {
          const t = performance.now();
          const res = await fetch(`${osprey.url}${path}`, {
            headers: { authorization: `Bearer ${osprey.apiKey}` },
          });
          if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          if (i > 0) times.push(performance.now() - t);
        }
        times.sort((x, y) => x - y);
        console.log(
          `${name.padEnd(41)} | ${ms(percentile(times, 0.5)).padStart(6)} | ${ms(percentile(times, 0.95)).padStart(6)}`,
        );
      }
    }
  } finally {
    await osprey.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; data in ${dir}`,
  );
  console.log(execFileSync('df', ['-h', tmpdir()]).toString().trim());
  // ~40 bytes a prediction on disk, twice that while parts merge.
  const freeBytes = Number(
    execFileSync('df', ['-B1', '--output=avail', tmpdir()]).toString().split('\n')[1],
  );
  if (freeBytes < ROWS * 80)
    throw new Error(
      `${(freeBytes / 2 ** 30).toFixed(1)} GiB free in ${tmpdir()}; ${ROWS} predictions need ~${((ROWS * 80) / 2 ** 30).toFixed(0)} GiB`,
    );
  const store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  await migrate(store, { retentionDays: 90 });
  const [have] = await store.query<{ n: string; end: string | null }>(
    `SELECT count() AS n, toUnixTimestamp64Milli(max(timestamp)) AS end FROM predictions`,
  );
  let end = Number(have!.end ?? 0);
  if (Number(have!.n) === 0) {
    end = Date.now();
    await saveSettings(store, 'house-price', { segments: ['region'] }, 'bench');
    console.log(`generating ${ROWS.toLocaleString('en')} predictions over 30 days…`);
    const seconds = await generate(store, end);
    console.log(
      `generated in ${seconds.toFixed(0)} s (${(ROWS / seconds / 1e6).toFixed(2)}M rows/s, rollup views included)`,
    );
  } else {
    console.log(`reusing ${Number(have!.n).toLocaleString('en')} predictions in ${dir}`);
  }
  // Measure on settled data: let the merges the generation started finish (at most 5 minutes).
  const settleStarted = performance.now();
  for (;;) {
    const [m] = await store.query<{ n: string }>('SELECT count() AS n FROM system.merges');
    if (Number(m!.n) === 0 || performance.now() - settleStarted > 300_000) {
      console.log(
        `merges: ${m!.n} running after ${((performance.now() - settleStarted) / 1000).toFixed(0)} s of waiting`,
      );
      break;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const sizes = await store.query<{ table: string; rows: string; parts: string; disk: string }>(
    `SELECT table, sum(rows) AS rows, count() AS parts, formatReadableSize(sum(bytes_on_disk)) AS disk
     FROM system.parts WHERE active AND database = currentDatabase()
       AND table IN ('predictions', 'predictions_1m', 'predictions_1h',
                     'predictions_segments_1m', 'predictions_segments_1h')
     GROUP BY table ORDER BY table`,
  );
  for (const s of sizes) console.log(`  ${s.table}: ${s.rows} rows, ${s.parts} parts, ${s.disk}`);

  const rt = { store } as WebRuntime;
  const cases: Case[] = [];
  for (const [label, span] of RANGES) {
    const range = { from: new Date(end - span), to: new Date(end) };
    cases.push({
      name: `overview ${label}`,
      run: (source) => loadOverview(rt, { ...range, buckets: 24 }, { source }),
    });
    cases.push({
      name: `timeseries ${label} (${niceStep(span)} s)`,
      run: (source) =>
        loadTimeseries(
          rt,
          { model: 'house-price', ...range, stepSeconds: niceStep(span) },
          { source },
        ),
    });
  }
  for (const [label, span] of RANGES) {
    cases.push({
      name: `segment region=eu ${label}`,
      // region is a configured segment of house-price: auto reads the segment rollups.
      run: (source) =>
        loadTimeseries(
          rt,
          {
            model: 'house-price',
            from: new Date(end - span),
            to: new Date(end),
            stepSeconds: niceStep(span),
            segment: { tag: 'region', value: 'eu' },
          },
          { source },
        ),
    });
  }
  await measureInProcess(cases);
  await store.close();
  await measureHttp(end);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  if (!keep && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
