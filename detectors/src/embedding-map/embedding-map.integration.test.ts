import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { modelSettings } from '../settings/model-settings';
import { embeddingMap } from './embedding-map';
import { nearestExamples } from './nearest-examples';

// The embedding map and nearest examples on real chDB: a reference of 32-d vectors spread along
// two directions, a quiet window drawn like it, and a window where a fifth of the inputs form a
// new cluster off to one side (with texts saying so).
const D = 32;
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const quiet = { from: T0 + HOUR, to: T0 + 2 * HOUR };
const shifted = { from: T0 + 2 * HOUR, to: T0 + 3 * HOUR };
const settings = modelSettings.parse({});
const dir = mkdtempSync(join(tmpdir(), 'osprey-embedding-map-'));
let store: Store;
const newEvents: string[] = [];
const oldEvents: string[] = [];

const random = mulberry32(18);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const a = Array.from({ length: D }, (_, j) => (j % 2 ? 1 : -1) / Math.sqrt(D));
const b = Array.from({ length: D }, (_, j) => (j < D / 2 ? 1 : -1) / Math.sqrt(D));
// A third direction, orthogonal to both (rows of a Hadamard matrix), that the reference lacks.
const c = Array.from({ length: D }, (_, j) => (Math.floor(j / 2) % 2 ? 1 : -1) / Math.sqrt(D));
/** A vector of the reference's distribution; a new one sits far along a and off in c too. */
const vector = (fresh = false) => {
  const s = 4 * normal() + (fresh ? 24 : 0);
  const t = 2 * normal();
  return a.map((x, j) => s * x + t * b[j]! + (fresh ? 16 * c[j]! : 0) + 0.2 * normal());
};

async function logWindow(
  window: { from: number; to: number },
  newShare: number,
  ids: { fresh: string[]; old: string[] },
) {
  const n = 1_000;
  const rows = Array.from({ length: n }, (_, i) => {
    const fresh = i < n * newShare;
    const event_id = randomUUID();
    (fresh ? ids.fresh : ids.old).push(event_id);
    return { event_id, timestamp: window.from + i * 3_000, fresh, vector: vector(fresh) };
  });
  const common = (r: (typeof rows)[number]) => ({
    event_id: r.event_id,
    timestamp: r.timestamp,
    model: 'search',
    version: 'v1',
  });
  await store.insert(
    Tables.predictions,
    rows.map((r) => ({ ...common(r), prediction_num: r.fresh ? 1 : 0 })),
  );
  await store.insert(
    Tables.predictionEmbeddings,
    rows.map((r) => ({ ...common(r), name: 'query', vector: r.vector })),
  );
  await store.insert(
    Tables.predictionTexts,
    rows.map((r, i) => ({
      ...common(r),
      name: 'prompt',
      text: r.fresh ? `a new kind of question #${i}` : `the usual question #${i}`,
    })),
  );
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await store.insert(Tables.referenceRows, [
    { model: 'search', version: 'v1', reference_id: 'train', timestamp: T0, prediction_num: 0 },
  ]);
  await store.insert(
    Tables.referenceEmbeddings,
    Array.from({ length: 3_000 }, (_, i) => ({
      model: 'search',
      version: 'v1',
      reference_id: 'train',
      timestamp: T0 + i,
      name: 'query',
      vector: vector(),
    })),
  );
  await logWindow(quiet, 0, { fresh: [], old: [] });
  await logWindow(shifted, 0.2, { fresh: newEvents, old: oldEvents });
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('embedding map', () => {
  it('fits the reference plane along its two spread directions and finds no drifted region in a quiet window', async () => {
    const map = await embeddingMap(store, settings, { model: 'search', window: quiet }, 'query');
    expect(map.reason).toBeUndefined();
    expect(map.reference).toMatchObject({ source: 'dataset', rows: 3_000 });
    expect(map.dimension).toBe(D);
    expect(map.explained_variance_ratio![0] + map.explained_variance_ratio![1]).toBeGreaterThan(
      0.9,
    );
    expect(map.window_rows).toBe(1_000);
    expect(map.cells.reduce((s, c) => s + c.window, 0)).toBe(1_000);
    expect(map.cells.reduce((s, c) => s + c.reference, 0)).toBe(3_000);
    expect(map.over_share).toBeLessThan(0.02);
    expect(map.points.reference).toHaveLength(1_000);
    expect(map.points.window).toHaveLength(1_000);
  });

  it('marks the region a new cluster of inputs crowds, and holds about its share of the window', async () => {
    const map = await embeddingMap(store, settings, { model: 'search', window: shifted }, 'query');
    const over = map.cells.filter((c) => c.region === 'over');
    expect(over.length).toBeGreaterThan(0);
    // A fifth of the window is new; the marked cells hold most of it and little else.
    expect(map.over_share).toBeGreaterThan(0.12);
    expect(map.over_share).toBeLessThan(0.25);
    // The new points lie 24 along the reference's main axis: on the far side of the grid.
    const fresh = new Set(newEvents);
    const freshX = map.points.window.filter((p) => fresh.has(p.event_id)).map((p) => p.x);
    const oldX = map.points.window.filter((p) => !fresh.has(p.event_id)).map((p) => p.x);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(Math.abs(mean(freshX) - mean(oldX))).toBeGreaterThan(15);
    // The grid reaches the new cluster, and the cells it fills are the ones marked.
    expect(map.outside.window).toBeLessThan(20);
    const { x, y } = map.extent!;
    const GRID = map.grid;
    expect(GRID).toBe(11); // √(1,000 / 8)
    const cellOf = (p: { x: number; y: number }) => {
      const i = Math.min(GRID - 1, Math.max(0, Math.floor(((p.x - x[0]) / (x[1] - x[0])) * GRID)));
      const j = Math.min(GRID - 1, Math.max(0, Math.floor(((p.y - y[0]) / (y[1] - y[0])) * GRID)));
      return `${i},${j}`;
    };
    const overCells = new Set(over.map((c) => `${c.i},${c.j}`));
    const inOver = map.points.window.filter((p) => overCells.has(cellOf(p)));
    const freshInOver = inOver.filter((p) => fresh.has(p.event_id)).length;
    expect(freshInOver / inOver.length).toBeGreaterThan(0.95);
    expect(freshInOver / newEvents.length).toBeGreaterThan(0.6);
  });

  it('answers the stored fit on a repeat, and says why without a reference', async () => {
    const first = await embeddingMap(store, settings, { model: 'search', window: quiet }, 'query');
    const again = await embeddingMap(store, settings, { model: 'search', window: quiet }, 'query');
    expect(again).toEqual(first);
    const none = await embeddingMap(store, settings, { model: 'search', window: quiet }, 'nothing');
    expect(none.reason).toBe('the reference has 0 vectors of "nothing"');
  });
});

describe('nearest examples', () => {
  it('lists a new input with its neighbours from the same new cluster, their texts, and its distance to the reference', async () => {
    const scope = { model: 'search', window: shifted };
    const fresh = await nearestExamples(store, settings, scope, 'query', newEvents[3]!);
    expect(fresh.point).toMatchObject({ event_id: newEvents[3], distance: 0, prediction: 1 });
    expect(fresh.point!.texts.prompt).toMatch(/^a new kind of question/);
    expect(fresh.neighbours).toHaveLength(8);
    for (const n of fresh.neighbours) {
      expect(newEvents).toContain(n.event_id);
      expect(n.texts.prompt).toMatch(/^a new kind of question/);
    }
    const distances = fresh.neighbours.map((n) => n.distance);
    expect(distances).toEqual([...distances].sort((x, y) => x - y));
    const usual = await Promise.all(
      oldEvents.slice(0, 5).map((id) => nearestExamples(store, settings, scope, 'query', id)),
    );
    for (const u of usual) {
      expect(u.neighbours.every((n) => !newEvents.includes(n.event_id))).toBe(true);
    }
    const typical = usual.map((u) => u.nearest_reference_distance!).sort((x, y) => x - y)[2]!;
    expect(fresh.nearest_reference_distance!).toBeGreaterThan(3 * typical);
  });

  it('says so when the event has no vector of that name in the window', async () => {
    const id = randomUUID();
    const r = await nearestExamples(
      store,
      settings,
      { model: 'search', window: quiet },
      'query',
      id,
    );
    expect(r.reason).toBe(`no "query" vector of event ${id} in the window`);
    expect(r.neighbours).toEqual([]);
  });
});
