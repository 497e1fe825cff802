import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionRows, predictionRowsOf } from '../sql/rows';
import { ecdfStatistics, ecdfStatisticsOf } from './numeric-sql';

// The exact KS statistic and Wasserstein distance of numeric-sql.ts against their definitions
// computed by hand: D = max over every x of |F_ref(x) − F_cur(x)|, W1 = ∫ |F_ref − F_cur|. The
// values tie within a side and across the sides (a few-valued feature, a point mass beside a
// continuous part), where a CDF read before all of a value's ties are counted would be wrong.
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const reference = { from, to: from + HOUR };
const window = { from: from + HOUR, to: from + 2 * HOUR };
const dir = mkdtempSync(join(tmpdir(), 'osprey-ecdf-statistics-'));
let store: Store;

const MODELS = ['m-0', 'm-1'];
const ROWS = { reference: 700, window: 450 };
/** Side 0 the reference, 1 the window: the same shapes, shifted, with other proportions. */
const values = (model: number, side: number, i: number) => ({
  // Integers 0..6, every value tied many times on both sides; the window's 6 twice as likely.
  steps: side === 0 ? (i * 3 + model) % 7 : Math.min(6, (i * 5 + model) % 8),
  // A point mass at 2.5 (a cap) on a fifth of the rows, the rest spread around it.
  capped: i % 5 === side ? 2.5 : (((i * 37) % 101) / 20) * (1 + 0.1 * side) - model,
  // Distinct values, no ties: the common case.
  smooth: Math.sin(i * 1.3 + model) * (side + 1) + i / 1000,
});
type Feature = keyof ReturnType<typeof values>;
const FEATURES: Feature[] = ['steps', 'capped', 'smooth'];

function byDefinition(ref: number[], cur: number[]) {
  const cdf = (xs: number[], x: number) => xs.filter((v) => v <= x).length / xs.length;
  const points = [...new Set([...ref, ...cur])].sort((a, b) => a - b);
  let d = 0;
  let w1 = 0;
  points.forEach((x, i) => {
    const gap = Math.abs(cdf(ref, x) - cdf(cur, x));
    d = Math.max(d, gap);
    if (i + 1 < points.length) w1 += gap * (points[i + 1]! - x);
  });
  return { d, w1 };
}

const side = (model: number, s: number, f: Feature) =>
  Array.from({ length: s === 0 ? ROWS.reference : ROWS.window }, (_, i) => values(model, s, i)[f]);

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  await migrate(store, { retentionDays: 90 });
  const rows = (model: string, j: number, s: number, start: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      event_id: randomUUID(),
      timestamp: start + i * 1000,
      model,
      version: 'v1',
      num_features: values(j, s, i),
      prediction_num: null,
    }));
  await store.insert(
    Tables.predictions,
    MODELS.flatMap((model, j) => [
      ...rows(model, j, 0, reference.from, ROWS.reference),
      ...rows(model, j, 1, window.from, ROWS.window),
    ]),
  );
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exact ECDF statistics', () => {
  it('match their definitions with ties inside and across the sides, alone and batched', async () => {
    const batched = await ecdfStatisticsOf(
      store,
      [
        predictionRowsOf(
          'ref',
          MODELS.map((model) => ({ scope: { model }, ...reference })),
        ),
      ],
      predictionRowsOf(
        'cur',
        MODELS.map((model) => ({ scope: { model }, ...window })),
      ),
      new Map(MODELS.map((m) => [m, FEATURES])),
    );
    for (const [j, model] of MODELS.entries()) {
      const alone = await ecdfStatistics(
        store,
        predictionRows('ref', { model, ...reference }),
        predictionRows('cur', { model, ...window }),
        FEATURES,
      );
      for (const f of FEATURES) {
        const expected = byDefinition(side(j, 0, f), side(j, 1, f));
        const got = alone.get(f)!;
        expect(got.ks, `${model} ${f} KS`).toBeCloseTo(expected.d, 12);
        expect(got.wasserstein / expected.w1, `${model} ${f} W1`).toBeCloseTo(1, 12);
        expect(batched.get(model)!.get(f)).toEqual(got);
      }
      // The data holds what the test is about: ties across the sides, and drift KS can see.
      const steps = byDefinition(side(j, 0, 'steps'), side(j, 1, 'steps'));
      expect(steps.d).toBeGreaterThan(0.01);
      expect(side(j, 1, 'capped').filter((x) => x === 2.5).length).toBe(ROWS.window / 5);
    }
  });
});
