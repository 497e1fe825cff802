import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBuckets, type Buckets } from '../drift/ecdf-sketch';
import { predictionRows, predictionRowsOf } from '../sql/rows';
import { bucketCounts, bucketCountsOf, gridOf } from './buckets-sql';
import { fewValueCounts, fewValueCountsOf } from './few-values';

// The batched pass counts several models' windows in one statement, each (model, feature) against
// its own grid: what each model gets must be what its own statement counts, and what counting by
// hand gives, however the models are split between statements.
const from = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const window = { from, to: from + 3_600_000 };
const dir = mkdtempSync(join(tmpdir(), 'osprey-window-counts-of-'));
let store: Store;

/** Three models, the same feature names with other values, one name holding the key separator. */
const values = (model: number, i: number) => ({
  x: ((i * 37 + model * 11) % 101) / 7 - 5 * model,
  'a/b': (i % 4) + model,
  flag: (i + model) % 2,
});
const MODELS = ['m-0', 'm-1', 'm-2'];
const ROWS = 400;
const grids = new Map(
  MODELS.map((m, j) => [
    m,
    new Map([
      ['x', gridOf([-12, -7.5, -3, 0, 0.5, 4, 9.25].map((g) => g - 2 * j))],
      ['a/b', gridOf([0.5, 1, 2, 3.5])],
      ['flag', gridOf([0, 1])],
    ]),
  ]),
);

/** Counting by hand: bucket b holds the values with exactly b boundaries at or below them. */
function byHand(xs: number[], grid: number[]): Buckets {
  const b = emptyBuckets(grid.length + 1);
  for (const x of xs) {
    const i = grid.filter((g) => g <= x).length;
    b.counts[i]! += 1;
    b.sum[i]! += x;
    b.lo[i] = Math.min(b.lo[i] ?? Infinity, x);
    b.hi[i] = Math.max(b.hi[i] ?? -Infinity, x);
  }
  return b;
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  await migrate(store, { retentionDays: 90 });
  await store.insert(
    Tables.predictions,
    MODELS.flatMap((model, j) =>
      Array.from({ length: ROWS }, (_, i) => ({
        event_id: randomUUID(),
        timestamp: from + i * 1000,
        model,
        version: 'v1',
        num_features: values(j, i),
        prediction_num: null,
      })),
    ),
  );
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const batch = () =>
  predictionRowsOf(
    'cur',
    MODELS.map((model) => ({ scope: { model }, ...window })),
  );

describe('several models counted together', () => {
  it('buckets: each model as its own statement and as by hand, in one statement or several', async () => {
    for (const budget of [64_000, 20]) {
      const together = await bucketCountsOf(store, batch(), grids, budget);
      for (const [j, model] of MODELS.entries()) {
        const alone = await bucketCounts(
          store,
          predictionRows('cur', { model, ...window }),
          grids.get(model)!,
        );
        expect(together.get(model), `${model}, budget ${budget}`).toEqual(alone);
        for (const [feature, grid] of grids.get(model)!) {
          const xs = Array.from({ length: ROWS }, (_, i) => values(j, i)[feature as 'x']);
          const expected = byHand(xs, grid);
          expect(together.get(model)!.get(feature)!.counts).toEqual(expected.counts);
          expect(together.get(model)!.get(feature)!.sum).toEqual(expected.sum);
        }
      }
    }
  });

  it('few-valued features: each model its own counts, a name holding the separator too', async () => {
    const keys = new Map(MODELS.map((m) => [m, ['a/b', 'flag', 'x']]));
    const together = await fewValueCountsOf(store, batch(), keys);
    for (const [j, model] of MODELS.entries()) {
      const alone = await fewValueCounts(store, predictionRows('cur', { model, ...window }), [
        'a/b',
        'flag',
        'x',
      ]);
      expect(together.get(model)).toEqual(alone);
      // x has many values: left out; a/b's four values start at the model's number.
      expect([...alone.keys()].sort()).toEqual(['a/b', 'flag']);
      expect(Object.keys(alone.get('a/b')!).map(Number)).toEqual(
        expect.arrayContaining([j, j + 1, j + 2, j + 3]),
      );
    }
  });
});
