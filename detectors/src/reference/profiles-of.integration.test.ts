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
import { bucketCounts, justAbove } from './buckets-sql';
import { fewValueCounts } from './few-values';
import { pointMasses, pointMassesOfValues } from './point-masses';
import { valueCountsOf } from './value-counts';
import {
  PROFILE_BY_VALUE_ROWS,
  referenceProfile,
  referenceProfilesOf,
  type NumericProfile,
  type ReferenceProfile,
} from './profile';
import type { Reference, Scope } from './resolve';

// A batch's small references are profiled together (referenceProfilesOf: the summaries, buckets,
// few values, point masses and categories grouped by target); each must be the profile it gets
// alone, whatever its features, its size against its buckets and its point masses.
const dir = mkdtempSync(join(tmpdir(), 'osprey-profiles-of-'));
let store: Store;
const HOUR = 3_600_000;
// Recent: predictions older than the retention are dropped.
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;

/** Deterministic noise in [0, 1). */
const noise = (i: number, salt: number) => {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

const models = {
  // a capped income (a tenth of the rows on the cap), an integer age, a 0/1 flag, a category and
  // a boolean; calibrated (numpy's 'auto' bins)
  capped: {
    rows: 3_000,
    calibrate: true,
    row: (i: number) => ({
      num_features: {
        income: noise(i, 1) < 0.1 ? 100 : Math.round(noise(i, 2) * 9_000) / 100,
        age: 18 + Math.floor(noise(i, 3) * 60),
        flag: noise(i, 4) < 0.2 ? 1 : 0,
      },
      cat_features: { colour: ['red', 'green', 'blue'][Math.floor(noise(i, 5) * 3)]! },
      bool_features: { vip: noise(i, 6) < 0.3 },
      prediction_num: noise(i, 7),
    }),
  },
  // fewer rows than buckets: every value holds more than a bucket's share
  tiny: {
    rows: 150,
    calibrate: false,
    row: (i: number) => ({
      num_features: { x: noise(i, 8) * 3, y: i % 4 },
      cat_features: {},
      bool_features: {},
      prediction_num: null,
    }),
  },
  // continuous values only, another feature name
  plain: {
    rows: 900,
    calibrate: false,
    row: (i: number) => ({
      num_features: { z: noise(i, 9) * 40 - 20 },
      cat_features: { shop: `s${i % 7}` },
      bool_features: {},
      prediction_num: noise(i, 10) * 2,
    }),
  },
  // larger than a batch profiles together (PROFILE_BY_VALUE_ROWS): profiled alone, in ClickHouse's
  // bucket and point-mass passes, beside the others
  large: {
    rows: PROFILE_BY_VALUE_ROWS + 500,
    calibrate: false,
    row: (i: number) => ({
      num_features: { w: i % 10 === 0 ? 7 : noise(i, 11) * 10 },
      cat_features: {},
      bool_features: {},
      prediction_num: null,
    }),
  },
};
type Name = keyof typeof models;
const names = Object.keys(models) as Name[];

const scopeOf = (model: string): Scope => ({ model, window: { from: T0, to: T0 + HOUR } });
const referenceOf = (model: string, source: 'range' | 'previous_window' = 'range'): Reference => ({
  source,
  key: `${source === 'range' ? 'range' : 'window'}:${T0 - HOUR}/${T0}`,
  rows: predictionRows('ref', { model, from: T0 - HOUR, to: T0 }),
  detail: { from: new Date(T0 - HOUR).toISOString(), to: new Date(T0).toISOString() },
});

/** A prediction of `model` logged in the reference's hour (its i-th millisecond). */
const logged = (model: string, i: number, features: object) => ({
  event_id: randomUUID(),
  model,
  version: 'v1',
  timestamp: T0 - HOUR + i,
  latency_ms: 1,
  error: '',
  request_id: '',
  null_features: [],
  tags: {},
  ...features,
});

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await store.insert(
    Tables.predictions,
    names.flatMap((model) =>
      Array.from({ length: models[model].rows }, (_, i) => logged(model, i, models[model].row(i))),
    ),
  );
  // Point masses, each model's feature `m`: its values and how often each comes.
  await store.insert(
    Tables.predictions,
    Object.entries(masses).flatMap(([model, values]) =>
      values.flatMap(([v, times]) =>
        Array.from({ length: times }, (_, i) =>
          logged(model, i, {
            num_features: { m: v },
            cat_features: {},
            bool_features: {},
            prediction_num: null,
          }),
        ),
      ),
    ),
  );
}, 60_000);

// Grid [0, 10, 20, 30]: 69 rows in 5 buckets, a bucket's share 13.8; only [0, 10) is crowded
// (43 rows > 2 shares). In it 5 is a point mass (30 rows > 13.8), 7 is not (12); 15 (25 rows) is
// above a share but in a bucket that is not crowded.
const masses: Record<string, [value: number, times: number][]> = {
  'mass-a': [
    [5, 30],
    [7, 12],
    [8, 1],
    [15, 25],
    [25, 1],
  ],
  // the same shape moved up a bucket (12 the point mass), and 3 heavy (20 rows of 89, a share
  // 17.8) below it, in a bucket not crowded
  'mass-b': [
    [3, 20],
    [12, 30],
    [14, 12],
    [18, 1],
    [25, 25],
    [35, 1],
  ],
};
const massGrid = [0, 10, 20, 30];
const massTotals = (counts: number[]): Buckets => ({ ...emptyBuckets(5), counts });

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const clearProfiles = () => store.command(`TRUNCATE TABLE ${Tables.referenceProfiles}`);

/** Profiles as plain data (features by name), for deep comparison. */
const plain = (p: ReferenceProfile) => ({ ...p, features: Object.fromEntries(p.features) });

describe('profiling a batch of references together', () => {
  it('gives each reference the profile it gets alone, and stores them', async () => {
    const alone: Record<string, ReferenceProfile> = {};
    for (const name of names) {
      await clearProfiles();
      alone[name] = await referenceProfile(store, name, referenceOf(name), {
        calibrate: models[name].calibrate,
      });
    }
    await clearProfiles();
    const together = await referenceProfilesOf(
      store,
      names.map((name) => ({
        scope: scopeOf(name),
        ref: referenceOf(name),
        calibrate: models[name].calibrate,
      })),
    );
    for (const [i, name] of names.entries())
      expect(plain(together[i]!), name).toEqual(plain(alone[name]!));

    // The references differ in what makes a profile, so equal answers are no accident.
    const capped = together[0]!.features;
    const income = capped.get('income') as NumericProfile;
    const cap = income.grid.indexOf(100);
    expect(cap).toBeGreaterThan(0);
    expect(income.grid[cap + 1]).toBe(justAbove(100));
    expect(income.buckets.counts[cap + 1]).toBe(
      Array.from({ length: 3_000 }, (_, i) => noise(i, 1) < 0.1).filter(Boolean).length,
    );
    expect((capped.get('flag') as NumericProfile).values).toEqual({
      0: expect.any(Number),
      1: expect.any(Number),
    });
    expect(income.auto_edges?.length).toBeGreaterThan(0);
    expect(capped.get('colour')).toMatchObject({ kind: 'categorical', n: 3_000 });
    expect(capped.get('vip')).toMatchObject({ kind: 'binary', n: 3_000 });
    // The large reference's point mass found by the search in ClickHouse.
    const w = together[3]!.features.get('w') as NumericProfile;
    expect(w.buckets.counts[w.grid.indexOf(7) + 1]).toBe((PROFILE_BY_VALUE_ROWS + 500) / 10);
    // Fewer rows than buckets: every distinct value a bucket of its own.
    const x = together[1]!.features.get('x') as NumericProfile;
    expect(x.buckets.counts.filter((n) => n > 0)).toHaveLength(150);
    expect(together[1]!.features.has('')).toBe(false);
    expect([...together[2]!.features.keys()].sort()).toEqual(['', 'shop', 'z']);
    // A fine grid from the values' quantiles, holding the deciles.
    const z = together[2]!.features.get('z') as NumericProfile;
    expect(z.grid.length).toBeGreaterThan(400);
    for (const e of z.edges) expect(z.grid).toContain(e);

    // Counted from value counts, as the bucket pass counts the rows on the same grids.
    for (const [i, name] of names.entries()) {
      const numeric = [...together[i]!.features].filter(
        (e): e is [string, NumericProfile] => e[1].kind === 'numeric',
      );
      const inSql = await bucketCounts(
        store,
        referenceOf(name).rows,
        new Map(numeric.map(([k, p]) => [k, p.grid])),
      );
      for (const [k, p] of numeric) {
        const b = inSql.get(k)!;
        expect(p.buckets.counts, `${name}.${k}`).toEqual(b.counts);
        expect(p.buckets.lo, `${name}.${k}`).toEqual(b.lo);
        expect(p.buckets.hi, `${name}.${k}`).toEqual(b.hi);
        p.buckets.sum.forEach((x, j) =>
          expect(Math.abs(x - b.sum[j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x))),
        );
      }
      const few = await fewValueCounts(
        store,
        referenceOf(name).rows,
        numeric.map(([k]) => k),
      );
      for (const [k, p] of numeric) expect(p.values, `${name}.${k}`).toEqual(few.get(k));
    }
    expect(Object.keys((together[1]!.features.get('y') as NumericProfile).values!)).toHaveLength(4);

    // Stored: the next look-up reads them instead of computing.
    for (const [i, name] of names.entries()) {
      const stored = await referenceProfile(store, name, referenceOf(name), {
        calibrate: models[name].calibrate,
      });
      expect(plain(stored), name).toEqual(plain(together[i]!));
    }
    const [counted] = await store.query<{ n: string }>(
      `SELECT uniqExact(model, feature) AS n FROM ${Tables.referenceProfiles}`,
    );
    expect(Number(counted!.n)).toBe(6 + 2 + 3 + 1);

    // A previous window's profile serves one window: computed the same, not stored.
    await clearProfiles();
    const previous = await referenceProfilesOf(
      store,
      names.map((name) => ({
        scope: scopeOf(name),
        ref: referenceOf(name, 'previous_window'),
        calibrate: models[name].calibrate,
      })),
    );
    for (const [i, name] of names.entries())
      expect(plain(previous[i]!), name).toEqual(plain(together[i]!));
    const [none] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceProfiles}`,
    );
    expect(Number(none!.n)).toBe(0);
  }, 60_000);

  it('finds the same point masses from value counts as in ClickHouse: above a share, in a crowded bucket', async () => {
    const rowsOf = (model: string) => predictionRows('ref', { model, from: T0 - HOUR, to: T0 });
    const totals = { 'mass-a': [0, 43, 25, 1, 0], 'mass-b': [0, 20, 43, 25, 1] };
    const expected = { 'mass-a': [5], 'mass-b': [12] };
    // A large reference's search: its crowded buckets' rows grouped in ClickHouse.
    for (const model of ['mass-a', 'mass-b'] as const) {
      expect(
        await pointMasses(
          store,
          rowsOf(model),
          new Map([['m', massGrid]]),
          new Map([['m', massTotals(totals[model])]]),
        ),
      ).toEqual(new Map([['m', expected[model]]]));
    }
    // A small reference's: from its value counts, alone and in a batch.
    const batch = await valueCountsOf(
      store,
      predictionRowsOf(
        'ref',
        ['mass-a', 'mass-b'].map((model) => ({ scope: scopeOf(model), from: T0 - HOUR, to: T0 })),
      ),
      new Map([
        ['mass-a', 89],
        ['mass-b', 89],
      ]),
    );
    for (const model of ['mass-a', 'mass-b'] as const) {
      const alone = await valueCountsOf(store, rowsOf(model), new Map([[model, 89]]));
      expect(alone.get(model)).toEqual(batch.get(model));
      const counted = batch.get(model)!.get('m')!;
      expect(counted.counts.reduce((a, b) => a + b, 0)).toBe(totals[model].reduce((a, b) => a + b));
      expect(pointMassesOfValues(massGrid, massTotals(totals[model]), counted), model).toEqual(
        expected[model],
      );
    }
  });
});
