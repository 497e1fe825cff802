import { randomUUID } from 'node:crypto';
import type { Store } from '@osprey/db';
import {
  detectRange,
  detectWindow,
  driftHeatmap,
  featureHistograms,
  lastWindowEnd,
  performanceHistory,
  RecomputeJobs,
  ruleInput,
  TooManyWindowsError,
  windowComparedWith,
  windowReference,
  type Alerts,
} from '@osprey/detectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, openTestStore, startAlerts, waitFor } from '../support/alerts';

// A ranged detection is the model's own windows, and every reader of stored windows agrees on
// them; a recompute after a reference upload makes earlier windows compare with the dataset.
let store: Store;
let alerts: Alerts;
const CURRENT_HOUR = Math.floor(Date.now() / HOUR) * HOUR;
const T0 = CURRENT_HOUR - 6 * HOUR;
const iso = (t: number) => new Date(t).toISOString();

function prediction(model: string, t: number, i: number) {
  return {
    event_id: randomUUID(),
    model,
    version: 'v1',
    timestamp: t,
    received_at: Date.now(),
    num_features: { x: i % 50 },
    prediction_num: i % 10,
    latency_ms: 5,
    error: i % 20 === 0 ? 'boom' : '',
  };
}

/** `n` predictions in each of the hours [T0, T0 + hours), a tenth of them labelled. */
async function logHours(model: string, hours: number, n = 300): Promise<void> {
  const rows = Array.from({ length: hours * n }, (_, i) =>
    prediction(model, T0 + Math.floor(i / n) * HOUR + (i % n) * 10_000, i),
  );
  await store.insert('predictions', rows);
  await store.insert(
    'labels',
    rows
      .filter((_, i) => i % 10 === 0)
      .map((r, i) => ({
        model,
        event_id: r.event_id,
        request_id: '',
        label_num: i % 10,
        label_str: null,
        timestamp: r.timestamp + 1000,
      })),
  );
}

beforeAll(async () => {
  store = await openTestStore();
  alerts = startAlerts(store);
}, 60_000);
afterAll(async () => {
  await alerts?.stop();
  await store?.close();
});

describe('a ranged detection', () => {
  it('stores the model’s aligned windows, and the heatmap, performance and preview agree', async () => {
    await logHours('ranged', 4);
    // What the old POST …/detect stored for the README's range: one 3-hour window.
    await detectWindow(store, { model: 'ranged', window: { from: T0, to: T0 + 3 * HOUR } });
    // The scheduler detected the fourth hour; then the README's 3-hour range is detected.
    await detectWindow(store, {
      model: 'ranged',
      window: { from: T0 + 3 * HOUR, to: T0 + 4 * HOUR },
    });
    const detection = await detectRange(store, {
      model: 'ranged',
      from: T0,
      to: T0 + 3 * HOUR,
      alerts: alerts.engine,
    });
    expect(detection.window_minutes).toBe(60);
    expect(detection.windows.map((w) => w.window)).toEqual(
      [0, 1, 2].map((h) => ({ from: iso(T0 + h * HOUR), to: iso(T0 + (h + 1) * HOUR) })),
    );
    expect(detection.alerts).toEqual([]);

    const hours = [0, 1, 2, 3].map((h) => ({
      from: iso(T0 + h * HOUR),
      to: iso(T0 + (h + 1) * HOUR),
    }));
    const scope = { model: 'ranged', from: T0, to: T0 + 4 * HOUR };
    // Heatmap columns, oldest first, one per hour: the count the page shows is the windows' count.
    const heatmap = await driftHeatmap(store, scope);
    expect(heatmap.windows).toEqual(hours.map((h) => ({ ...h, reference: 'previous window' })));
    expect(heatmap.dataset.map((c) => c.window_end)).toEqual(hours.map((h) => h.to));
    // The performance axis: one point per hour, in order.
    const performance = await performanceHistory(store, scope);
    expect(performance.map((p) => [p.window_start, p.window_end])).toEqual(
      hours.map((h) => [h.from, h.to]),
    );
    // The rule preview counts the same windows (every one has 5% errors: it fires in the first).
    const preview = await alerts.engine.preview(
      ruleInput.parse({
        name: 'errors',
        model: 'ranged',
        metric: 'error_rate',
        op: '>',
        threshold: 0.01,
      }),
      scope,
    );
    expect(preview.windows).toBe(4);
    expect(preview.firings.map((f) => (f as { window: { from: string } }).window.from)).toEqual([
      hours[0]!.from,
    ]);
  });

  it('widens a range that is not on window edges to whole windows', async () => {
    const detection = await detectRange(store, {
      model: 'ranged',
      from: T0 + HOUR / 2,
      to: T0 + HOUR + HOUR / 2,
    });
    expect(detection.windows.map((w) => w.window.from)).toEqual([iso(T0), iso(T0 + HOUR)]);
    const heatmap = await driftHeatmap(store, { model: 'ranged', from: T0, to: T0 + 4 * HOUR });
    expect(heatmap.windows).toHaveLength(4);
  });

  it('refuses a range of more windows than one detection computes', async () => {
    await expect(
      detectRange(store, { model: 'ranged', from: T0 - 30 * 24 * HOUR, to: T0 }),
    ).rejects.toBeInstanceOf(TooManyWindowsError);
  });

  it('does not count a window detected before it closed as done for the scheduler', async () => {
    await logHours('open', 1);
    await detectWindow(store, { model: 'open', window: { from: T0, to: T0 + HOUR } });
    expect(await lastWindowEnd(store, 'open', 'drift')).toBe(T0 + HOUR);
    // The current hour, detected now: the scheduler must still detect it once it has closed.
    await detectWindow(store, {
      model: 'open',
      window: { from: CURRENT_HOUR, to: CURRENT_HOUR + HOUR },
    });
    expect(await lastWindowEnd(store, 'open', 'drift')).toBe(T0 + HOUR);
  });
});

describe('recompute after a reference upload', () => {
  it('makes earlier windows compare with the dataset, and says so per window', async () => {
    await logHours('late-ref', 3);
    await detectRange(store, { model: 'late-ref', from: T0, to: T0 + 3 * HOUR });
    const second = { model: 'late-ref', window: { from: T0 + HOUR, to: T0 + 2 * HOUR } };
    expect(await windowComparedWith(store, second)).toMatchObject({
      source: 'previous_window',
      from: iso(T0),
      to: iso(T0 + HOUR),
      size: 300,
    });

    await store.insert(
      'reference_rows',
      Array.from({ length: 2_000 }, (_, i) => {
        const {
          event_id: _e,
          received_at: _r,
          latency_ms: _l,
          error: _x,
          ...row
        } = prediction('late-ref', T0 - HOUR, i);
        return { ...row, reference_id: 'validation-set' };
      }),
    );
    // The stored windows still say what they were compared with, and that it is outdated.
    expect(await windowReference(store, second)).toMatchObject({
      compared: { source: 'previous_window', size: 300 },
      outdated: true,
    });
    const before = await driftHeatmap(store, { model: 'late-ref', from: T0, to: T0 + 3 * HOUR });
    expect(before.windows.map((w) => w.reference)).toEqual(Array(3).fill('previous window'));
    // The drill-down's bars compare with what the verdict compared with.
    expect((await featureHistograms(store, { ...second, feature: 'x' }))?.reference).toMatchObject({
      source: 'previous_window',
      size: 300,
    });

    const jobs = new RecomputeJobs(store);
    const started = await jobs.start('late-ref', T0 - 2 * HOUR);
    expect(started).toMatchObject({ status: 'running', done: 0, from: iso(T0) });
    // Every closed window from the first stored one: T0 … the last hour that closed 5 min ago.
    const lastClosed = Math.floor((Date.now() - 5 * 60_000) / HOUR) * HOUR;
    expect(started.to).toBe(iso(lastClosed));
    expect(started.of).toBe((lastClosed - T0) / HOUR);
    await expect(jobs.start('late-ref', T0)).rejects.toMatchObject({ status: 409 });
    const done = await waitFor(
      'the recompute',
      () => {
        const job = jobs.get('late-ref');
        return job?.status === 'running' ? undefined : job;
      },
      60_000,
    );
    expect(done).toMatchObject({ status: 'done', done: started.of, of: started.of });

    for (const h of [0, 1, 2]) {
      const scope = { model: 'late-ref', window: { from: T0 + h * HOUR, to: T0 + (h + 1) * HOUR } };
      expect(await windowReference(store, scope)).toMatchObject({
        compared: { source: 'dataset', reference_id: 'validation-set', size: 2_000 },
        outdated: false,
      });
    }
    expect((await featureHistograms(store, { ...second, feature: 'x' }))?.reference).toMatchObject({
      source: 'dataset',
      size: 2_000,
    });
    // Recomputing replaced the windows' results: still one column per hour.
    const heatmap = await driftHeatmap(store, { model: 'late-ref', from: T0, to: T0 + 3 * HOUR });
    expect(heatmap.windows.map((w) => w.reference)).toEqual([
      'dataset validation-set',
      'dataset validation-set',
      'dataset validation-set',
    ]);
  }, 120_000);

  it('refuses a start further back than the limit', async () => {
    const jobs = new RecomputeJobs(store);
    await expect(jobs.start('late-ref', Date.now() - 40 * 24 * HOUR)).rejects.toMatchObject({
      status: 400,
    });
  });
});
