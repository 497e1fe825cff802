// npm run bench:many-models — what one scheduler pass costs when a team runs many models.
//
// BENCH_MODELS models (default 1,000) each get 1,000 reference rows and one closed hourly window
// of 1,000 predictions with 8 numeric and 3 categorical features, a numeric prediction, a label
// per prediction and a `region` tag of 20 values; then one DetectorScheduler pass detects every
// model's window with every detector (run/detect.ts detectScope) and stores the results, as
// `osprey start` does each hour. Printed: the pass (the first fits every reference), the same pass
// again with the fits stored (the hourly steady state), per model, and what one model costs with
// `region` as a segment (20 values) against the same model without.
// Goal (issue #16): 1,000 models ≤ 20 s on 2 cores; 20 segment values ≤ 3× the model alone.
// BENCH_PROFILE=1 also prints the steady-state pass's statements by shape, costliest first.
// BENCH_REFERENCE=previous_window: no reference datasets (the default reference of a model that
// has none is its previous window): the reference rows are logged as predictions of the hour
// before instead, and "the pass again" detects the hour after the window (its rows a copy of the
// window's, shifted), whose reference — the window — no pass has profiled or fitted: what every
// hourly pass meets for such models (a previous window's profile and fits are never stored, so
// the segment comparison profiles each scope's previous window anew on every call too).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tables } from '@osprey/db';
import pino from 'pino';
import { detectWindow } from '../src/run/detect';
import { DetectorScheduler } from '../src/scheduler/scheduler';
import { saveSettings } from '../src/settings/model-settings';
import { generateDriftData } from './generate';
import { profileStatements } from './statement-profile';
import { openBenchStore } from './store';

const MODELS = Number(process.env.BENCH_MODELS ?? 1_000);
const PREVIOUS_WINDOW = process.env.BENCH_REFERENCE === 'previous_window';
const ROWS = 1_000;
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const window = { from, to: from + HOUR };
// With previous-window references, the window the pass again detects: the hour after.
const next = { from: window.to, to: window.to + HOUR };

const dir = mkdtempSync(join(tmpdir(), 'osprey-bench-many-models-'));
const store = await openBenchStore(dir);
const seconds = (since: number) => (performance.now() - since) / 1000;

let t = performance.now();
await generateDriftData(store, {
  rows: ROWS,
  numeric: 8,
  categorical: 3,
  from,
  models: MODELS,
  regions: 20,
});
if (PREVIOUS_WINDOW) {
  // Spread over the hour before the window by a hash of the row.
  await store.command(
    `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, cat_features, prediction_num, latency_ms, tags)
     SELECT generateUUIDv4(),
            fromUnixTimestamp64Milli({from:Int64} - 3600000 + cityHash64(num_features, cat_features, prediction_num) % 3600000, 'UTC'),
            model, version, num_features, cat_features, prediction_num, 1, tags
     FROM ${Tables.referenceRows}`,
    { from },
  );
  await store.command(`TRUNCATE TABLE ${Tables.referenceRows}`);
}
await store.command(`OPTIMIZE TABLE ${Tables.predictions} FINAL`);
console.log(`generated ${MODELS} models × ${ROWS} rows in ${seconds(t).toFixed(1)} s`);

let now = window.to + HOUR;
// One pass, as the scheduler runs it an hour after the window closed (past every grace period).
const scheduler = new DetectorScheduler(store, pino({ level: 'warn' }), {
  intervalMs: HOUR,
  backfillDays: 1,
  now: () => now,
});
t = performance.now();
await scheduler.pass();
const pass = seconds(t);
const [stored] = await store.query<{ models: string }>(
  `SELECT uniqExact(model) AS models FROM ${Tables.detectorRuns} WHERE detector = 'drift'`,
);
if (Number(stored!.models) !== MODELS) {
  throw new Error(`the pass stored drift for ${stored!.models} of ${MODELS} models`);
}

// The pass an hour later, when every model's fits are stored: the same window detected again from
// scratch (its runs removed), which is what each hourly pass costs in the steady state.
if (PREVIOUS_WINDOW) {
  // The next hour arrives: the window's predictions and labels again, an hour later.
  await store.command(
    `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, cat_features, prediction_num, latency_ms, tags, request_id)
     SELECT generateUUIDv4(), timestamp + INTERVAL 1 HOUR, model, version, num_features, cat_features,
            prediction_num, latency_ms, tags, concat('next-', request_id)
     FROM ${Tables.predictions}
     WHERE timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
    window,
  );
  await store.command(
    `INSERT INTO ${Tables.labels} (model, event_id, request_id, label_num, timestamp, received_at)
     SELECT model, event_id, concat('next-', request_id), label_num, timestamp + INTERVAL 1 HOUR, received_at + INTERVAL 1 HOUR
     FROM ${Tables.labels} WHERE request_id NOT LIKE 'next-%'`,
  );
  await store.command(`OPTIMIZE TABLE ${Tables.predictions} FINAL`);
  now = next.to + HOUR;
} else {
  await store.command(`TRUNCATE TABLE ${Tables.detectorRuns}`);
  await store.command(`TRUNCATE TABLE ${Tables.detectorResults}`);
}
const profile = process.env.BENCH_PROFILE ? profileStatements(store) : undefined;
profile?.start();
t = performance.now();
await scheduler.pass();
const repeatPass = seconds(t);
const profiled = profile?.report(MODELS);
const [detected] = await store.query<{ windows: number }>(
  `SELECT count() AS windows FROM ${Tables.detectorRuns}
   WHERE detector = 'drift' AND segment = '' AND window_start = fromUnixTimestamp64Milli({from:Int64}, 'UTC')`,
  { from: PREVIOUS_WINDOW ? next.from : from },
);
const windows = Number(detected!.windows);

// One model alone against the same model with its 20 regions as segments (medians of 3).
const median = async (f: () => Promise<unknown>) => {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await f();
    times.push(seconds(start));
  }
  return times.sort((a, b) => a - b)[1]!;
};
const alone = await median(() => detectWindow(store, { model: 'bench-0', window }));
await saveSettings(store, 'bench-1', { segments: ['region'] }, 'bench');
const segmented = await median(() => detectWindow(store, { model: 'bench-1', window }));

console.log(`
${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}
pass over ${MODELS} models: ${pass.toFixed(1)} s, ${((pass / MODELS) * 1000).toFixed(0)} ms a model (first: fits the references)
the pass again, ${PREVIOUS_WINDOW ? 'the next hour: each previous window profiled and fitted' : 'fits stored'}: ${repeatPass.toFixed(1)} s, ${((repeatPass / MODELS) * 1000).toFixed(0)} ms a model (goal ≤ 20 s for 1,000); ${windows} windows, ${((repeatPass / windows) * 1000).toFixed(0)} ms a model's window
one model, repeat: ${(alone * 1000).toFixed(0)} ms; with 20 segment values: ${(segmented * 1000).toFixed(0)} ms, ${(segmented / alone).toFixed(1)}× (goal ≤ 3×)`);
if (profiled) console.log(`\nthe pass again — statements by shape (BENCH_PROFILE):\n${profiled}`);
await store.close();
rmSync(dir, { recursive: true, force: true });
