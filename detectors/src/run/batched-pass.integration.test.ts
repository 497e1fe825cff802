import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type QueryParams, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectorScheduler } from '../scheduler/scheduler';
import { loadSettingsOf, saveSettings } from '../settings/model-settings';
import { detectModelsWindow, detectTargets, detectWindow, type Detection } from './detect';

// A scheduler pass detects the models due for a window together, the families that group by model
// in shared statements (detectModelsWindow). What it stores for each model must be what the model
// detected alone stores, whatever the model's reference; and one model whose detection fails must
// cost the others nothing.
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const window = { from, to: from + HOUR };
const dir = mkdtempSync(join(tmpdir(), 'osprey-batched-pass-'));
let store: Store;

/** Models, each with traffic unlike the others', and how its reference is chosen. */
const models = {
  // The default: no dataset, so the previous window.
  quiet: { rows: 300, previous: 280, errorEvery: 0, shift: 0 },
  // A dataset uploaded: drift against it; errors still against the previous window.
  dataset: { rows: 500, previous: 100, errorEvery: 7, shift: 2 },
  // A range reference two hours back (errors and drift against it).
  ranged: { rows: 400, previous: 400, errorEvery: 3, shift: 1 },
  // Traffic before the window only: an empty window.
  gone: { rows: 0, previous: 200, errorEvery: 5, shift: 0 },
};
type Name = keyof typeof models;
const names = Object.keys(models) as Name[];

function predictions(model: Name, count: number, start: number, shift: number, errorEvery: number) {
  return Array.from({ length: count }, (_, i) => ({
    event_id: randomUUID(),
    timestamp: start + Math.floor((i * HOUR) / (count + 1)),
    model,
    version: 'v1',
    // flag: few values, compared value by value.
    num_features: {
      x: ((i * 37) % 101) / 10 + shift,
      y: (i % 13) * 1.5,
      flag: (i * (shift + 1)) % 3,
    },
    // A value holding ':' (the separator of the batched PCA's category keys).
    cat_features: { colour: ['red', 'green', 'sky:blue'][(i + shift) % 3]! },
    tags: { region: ['north', 'south', 'east', 'north'][i % 4]! },
    // Booleans in some models only (the batch's statements carry them for those alone).
    bool_features: shift > 0 ? { vip: i % (shift + 2) === 0 } : {},
    // 'ranged' is a multiclass model; the others log scores.
    prediction_num: model === 'ranged' ? null : ((i * 17) % 23) / 23,
    prediction_label: model === 'ranged' ? ['a', 'b', 'c'][i % 3]! : null,
    // The same request ids in every model: a label belongs to its own model's prediction only.
    request_id: `req-${start}-${i}`,
    latency_ms: 5 + ((i * 7) % 40) + shift * 3,
    error: errorEvery > 0 && i % errorEvery === 0 ? 'timeout' : '',
  }));
}

/**
 * Labels for the first 200 predictions of the window, by request id: 'quiet' binary (0/1), 'dataset'
 * a regression target, 'ranged' classes; 'gone' none.
 */
function labels(model: Name) {
  if (model === 'gone') return [];
  return Array.from({ length: 200 }, (_, i) => ({
    model,
    request_id: `req-${from}-${i}`,
    label_num: model === 'quiet' ? i % 2 : model === 'dataset' ? (i % 17) / 10 : null,
    label_str: model === 'ranged' ? ['a', 'b', 'c'][(i * 2) % 3]! : null,
    timestamp: from + HOUR,
  }));
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  await migrate(store, { retentionDays: 90 });
  for (const name of names) {
    const m = models[name];
    await store.insert(Tables.predictions, [
      ...predictions(name, m.previous, from - 2 * HOUR, 0, m.errorEvery + 1),
      ...predictions(name, m.previous, from - HOUR, 0, m.errorEvery + 1),
      ...predictions(name, m.rows, from, m.shift, m.errorEvery),
    ]);
    if (name !== 'gone') await store.insert(Tables.labels, labels(name));
  }
  await store.insert(
    Tables.referenceRows,
    Array.from({ length: 300 }, (_, i) => ({
      reference_id: 'ref-1',
      timestamp: from - 5 * HOUR + i,
      model: 'dataset',
      version: 'v1',
      num_features: { x: ((i * 31) % 97) / 10, y: (i % 11) * 1.5, flag: i % 2 },
      cat_features: { colour: ['red', 'green', 'sky:blue'][i % 3]! },
      bool_features: { vip: i % 3 === 0 },
      tags: { region: ['north', 'south', 'east'][i % 3]! },
      prediction_num: ((i * 13) % 19) / 19,
    })),
  );
  // Texts for 'dataset' (against its dataset's texts), embeddings for 'quiet' (against its
  // previous window's): each found for its own model in the batch's one look-up per side table.
  const texts = (n: number, t0: number, word: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => ({
      event_id: randomUUID(),
      timestamp: t0 + i * 1000,
      model: 'dataset',
      version: 'v1',
      name: 'prompt',
      text: `please ${word(i)} the ${['report', 'invoice', 'order'][i % 3]!}`,
    }));
  await store.insert(
    Tables.predictionTexts,
    texts(60, from, (i) => (i % 2 ? 'cancel' : 'send')),
  );
  await store.insert(
    Tables.referenceTexts,
    texts(60, from - 5 * HOUR, () => 'send').map(({ event_id: _, ...r }) => ({
      ...r,
      reference_id: 'ref-1',
    })),
  );
  const vectors = (t0: number, shift: number) =>
    Array.from({ length: 40 }, (_, i) => ({
      event_id: randomUUID(),
      timestamp: t0 + i * 1000,
      model: 'quiet',
      version: 'v1',
      name: 'vec',
      vector: [Math.sin(i) + shift, Math.cos(i), (i % 7) / 7, shift],
    }));
  await store.insert(Tables.predictionEmbeddings, [
    ...vectors(from - HOUR, 0),
    ...vectors(from, 0.5),
  ]);
  await saveSettings(
    store,
    'ranged',
    {
      reference: {
        source: 'range',
        from: new Date(from - 2 * HOUR).toISOString(),
        to: new Date(from - HOUR).toISOString(),
      },
      // KS and Wasserstein from the fine buckets, as a window too large for exact ones gets them.
      drift: { ecdf: 'buckets' },
    },
    'test',
  );
}, 60_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The runs stored for a model's window, by detector (each window stored once). */
async function storedRuns(model: string): Promise<Record<string, unknown>> {
  const rows = await store.query<{ detector: string; document: string; n: string }>(
    `SELECT detector, any(document) AS document, count() AS n FROM ${Tables.detectorRuns}
     WHERE model = {model:String} AND window_start = fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND segment = '' AND version = ''
     GROUP BY detector ORDER BY detector`,
    { model, from },
  );
  return Object.fromEntries(
    rows.map((r) => [r.detector, { runs: Number(r.n), ...JSON.parse(r.document) }]),
  );
}

/** Every stored reference profile and fit: what comes next computes its own. */
async function clearReferences(): Promise<void> {
  await store.command(`TRUNCATE TABLE ${Tables.referenceProfiles}`);
  await store.command(`TRUNCATE TABLE ${Tables.referenceFits}`);
}

async function clearRuns(): Promise<void> {
  await store.command(`TRUNCATE TABLE ${Tables.detectorRuns}`);
  await store.command(`TRUNCATE TABLE ${Tables.detectorResults}`);
}

/**
 * Equal documents, numbers to 1e-12 relative: ClickHouse sums in parallel, so a float sum's last
 * bits depend on how the rows were split between threads, alone or not.
 */
function expectSame(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
    if (!(Math.abs(actual - expected) <= tolerance || actual === expected))
      expect.fail(`${path}: ${actual} is not ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    expect(actual, path).toEqual(expected);
    return;
  }
  expect(typeof actual, path).toBe('object');
  expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected))
    expectSame((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

describe('the batched pass', () => {
  it('stores for every model of a batch what the model detected alone stores', async () => {
    const alone: Record<string, Detection> = {};
    const storedAlone: Record<string, unknown> = {};
    for (const name of names) {
      alone[name] = await detectWindow(store, { model: name, window, segments: false });
      storedAlone[name] = await storedRuns(name);
    }
    await clearRuns();
    // The batch profiles and fits every reference itself, together.
    await clearReferences();
    const settings = await loadSettingsOf(store, names);
    const together = await detectModelsWindow(store, { settings, window });

    expect(together.map((d) => d.model)).toEqual(names);
    for (const [i, name] of names.entries()) {
      const { segments: _, ...single } = alone[name] as Detection & { segments: unknown };
      expectSame(together[i], single);
      expectSame(await storedRuns(name), storedAlone[name]);
    }
    // The models differ where their traffic and references do, so equal answers are no accident.
    const errors = (name: Name) => together[names.indexOf(name)]!.errors as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(errors('quiet')).toMatchObject({ count: 300, errors: 0 });
    expect(errors('dataset')).toMatchObject({ count: 500, errors: 72, reference: { count: 100 } });
    expect(errors('ranged').reference.from).toBe(new Date(from - 2 * HOUR).toISOString());
    expect(errors('gone')).toMatchObject({
      count: 0,
      status: 'unknown',
      reference: { count: 200 },
    });
    expect(together[names.indexOf('dataset')]!.drift.reference).toMatchObject({
      source: 'dataset',
    });
    expect(together.map((d) => d.drift.ecdf)).toEqual(['exact', 'exact', 'buckets', null]);
    const textFeatures = (name: Name) =>
      together[names.indexOf(name)]!.drift.features.filter((f) => f.feature.startsWith('text:'));
    expect(textFeatures('dataset').length).toBeGreaterThan(0);
    expect(textFeatures('quiet')).toEqual([]);
    const embedded = together.map((d) =>
      (d.embedding_drift as { embeddings: { name: string }[] }).embeddings.map((e) => e.name),
    );
    expect(embedded).toEqual([['vec'], [], [], []]);
    // The few-valued flag compared value by value (its counts from the batch's one statement).
    for (const name of ['quiet', 'dataset', 'ranged'] as const) {
      const flag = together[names.indexOf(name)]!.drift.features.find((f) => f.feature === 'flag');
      expect(flag?.statistics, name).toHaveProperty('chi2_p_value');
    }
    // Booleans are coordinates of the PCA of the model whose reference logged them ('dataset'; the
    // other references have none), the others' statements carry none.
    expect(
      together.map(
        (d) =>
          (d.multivariate_drift as { features: { categorical: string[] } }).features.categorical,
      ),
    ).toEqual([['colour'], ['colour', 'vip'], ['colour'], ['colour']]);
    // Each model's window counted against its own reference's ranges in the one quality statement.
    const problems = (name: Name) =>
      (together[names.indexOf(name)]!.quality as { rows_with_problems: { value: number | null } })
        .rows_with_problems.value;
    expect([problems('quiet'), problems('dataset'), problems('ranged'), problems('gone')]).toEqual([
      0,
      0.354,
      0.0975,
      null,
    ]);
    expect(together[names.indexOf('gone')]!.latency).toMatchObject({ count: 0, p50: null });
    const performance = (name: Name) => together[names.indexOf(name)]!.performance;
    expect(performance('quiet')).toMatchObject({ task: 'binary', labelled: 200 });
    expect(performance('dataset')).toMatchObject({ task: 'regression', labelled: 200 });
    expect(performance('ranged')).toMatchObject({ task: 'multiclass', labelled: 200 });
    expect(performance('gone')).toMatchObject({ labelled: 0, metrics: {} });
    expect(together[names.indexOf('quiet')]!.throughput).toMatchObject({
      count: 300,
      usual: { minutes: 120 },
    });
  }, 120_000);

  it("detects a model's segment values together as each alone", async () => {
    for (const name of ['quiet', 'dataset', 'ranged'] as const) {
      const [settings] = (await loadSettingsOf(store, [name])).values();
      const targets = ['north', 'south', 'east'].map((value) => ({
        scope: { model: name, window, segment: { key: 'region', value } },
        settings: settings!,
      }));
      const alone: Detection[] = [];
      for (const t of targets) alone.push(...(await detectTargets(store, [t])));
      await clearReferences();
      const together = await detectTargets(store, targets);
      expect(together.map((d) => d.segment)).toEqual([
        'region=north',
        'region=south',
        'region=east',
      ]);
      for (const [i, d] of together.entries()) expectSame(d, alone[i]);
      // The segments differ, so equal answers are no accident.
      const counts = together.map((d) => (d.latency as { count: number }).count);
      expect(new Set(counts).size, name).toBeGreaterThan(1);
    }
  }, 120_000);

  it('keeps a failing model from costing the others their window, and stores each once', async () => {
    await clearRuns();
    // The store fails every detector statement that reads model 'ranged''s predictions (alone or
    // in a batch; a detector's row set is `SELECT *, is_error, … AS target FROM predictions …`).
    const reads = (params: QueryParams | undefined) =>
      JSON.stringify(params ?? {}).includes('"ranged"');
    const query: Store['query'] = (sql, params, ...rest) =>
      sql.includes('AS target FROM predictions') && reads(params)
        ? Promise.reject(new Error('injected failure'))
        : store.query(sql, params, ...rest);
    const failing = new Proxy(store, {
      get: (target, prop) => {
        if (prop === 'query') return query;
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logged: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const scheduler = new DetectorScheduler(failing, logger, {
      intervalMs: HOUR,
      backfillDays: 1,
      now: () => window.to + HOUR,
    });
    await scheduler.pass();

    for (const name of ['quiet', 'dataset', 'gone'] as const) {
      const runs = await store.query<{ n: number; windows: number }>(
        `SELECT count() AS n, uniqExact(window_start) AS windows FROM ${Tables.detectorRuns}
         WHERE model = {model:String} AND detector = 'drift' AND segment = ''`,
        { model: name },
      );
      // The three windows closed since the first event (two hours before `window`), each once.
      expect(runs[0]).toEqual({ n: 3, windows: 3 });
    }
    const [ranged] = await store.query<{ n: number }>(
      `SELECT count() AS n FROM ${Tables.detectorRuns} WHERE model = 'ranged'`,
    );
    expect(ranged!.n).toBe(0);
    const failures = logged.map((l) => JSON.parse(l) as { msg: string; model?: string });
    expect(failures.filter((f) => f.msg === 'detection failed for the model')).toEqual([
      expect.objectContaining({ model: 'ranged' }),
    ]);
  }, 120_000);

  it('takes up a window opened by events that landed after later windows were detected', async () => {
    const model = 'late';
    const event = (t: number) => ({
      event_id: randomUUID(),
      timestamp: t,
      model,
      version: 'v1',
      num_features: { x: t % 7 },
      prediction_num: 0.5,
    });
    const scheduler = new DetectorScheduler(store, pino({ level: 'silent' }), {
      intervalMs: HOUR,
      backfillDays: 1,
      now: () => window.to + HOUR,
    });
    const detected = async () =>
      (
        await store.query<{ start: string }>(
          `SELECT toString(toUnixTimestamp64Milli(window_start)) AS start FROM ${Tables.detectorRuns}
           WHERE model = {model:String} AND detector = 'drift' AND segment = ''
           ORDER BY window_start`,
          { model },
        )
      ).map((r) => Number(r.start) - from);
    // The window's events land first; the ones two hours earlier only after it was detected.
    await store.insert(Tables.predictions, [event(from + 60_000), event(from + 120_000)]);
    await scheduler.pass();
    expect(await detected()).toEqual([0]);
    await store.insert(Tables.predictions, [event(from - 2 * HOUR + 5_000)]);
    await scheduler.pass();
    // The late events' window and the empty one after it; each window once.
    expect(await detected()).toEqual([-2 * HOUR, -HOUR, 0]);
    await scheduler.pass();
    expect(await detected()).toEqual([-2 * HOUR, -HOUR, 0]);
  }, 120_000);
  it('re-evaluates the windows whose predictions got labels, by event or request id, each model its own window size', async () => {
    // Two models: 'hourly' (60-minute windows), 'halves' (30-minute windows).
    const event = (model: string, t: number, i: number) => ({
      event_id: randomUUID(),
      request_id: `relabel-${model}-${i}`,
      timestamp: t,
      model,
      version: 'v1',
      num_features: { x: i % 5 },
      prediction_num: (i % 3) / 2,
    });
    const hourly = Array.from({ length: 6 }, (_, i) => event('hourly', from + i * 10 * 60_000, i));
    const halves = Array.from({ length: 6 }, (_, i) => event('halves', from + i * 10 * 60_000, i));
    await store.insert(Tables.predictions, [...hourly, ...halves]);
    await saveSettings(store, 'halves', { window_minutes: 30 }, 'test');
    const logged: string[] = [];
    const scheduler = new DetectorScheduler(
      store,
      pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }),
      { intervalMs: HOUR, backfillDays: 1, now: () => window.to + HOUR },
    );
    await scheduler.pass();
    const relabelled = () =>
      logged
        .map((l) => JSON.parse(l) as { msg: string; model?: string; window?: { from: string } })
        .filter((l) => l.msg === 'performance re-evaluated for new labels')
        .filter((l) => l.model === 'hourly' || l.model === 'halves')
        .map((l) => `${l.model} ${(Date.parse(l.window!.from) - from) / 60_000}`)
        .sort();
    expect(relabelled()).toEqual([]);
    // 'hourly': a label by event id (minute 50); 'halves': one by request id (minute 40), one
    // for a request id only 'hourly' logged (it must not reach 'halves').
    await store.insert(Tables.labels, [
      {
        model: 'hourly',
        event_id: hourly[5]!.event_id,
        request_id: '',
        label_num: 1,
        timestamp: from,
      },
      { model: 'halves', request_id: halves[4]!.request_id, label_num: 0, timestamp: from },
      { model: 'halves', request_id: hourly[1]!.request_id, label_num: 0, timestamp: from },
    ]);
    await scheduler.pass();
    expect(relabelled()).toEqual(['halves 30', 'hourly 0']);
  }, 120_000);
});
