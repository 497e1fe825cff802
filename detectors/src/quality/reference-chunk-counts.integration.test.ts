import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceDatasetRows, referenceDatasetRowsOf, targetKey } from '../sql/rows';
import { qualityCounts, referenceChunkCounts, type Counts } from './counts-sql';
import { fitQuality, fitQualityOf } from './fit';

// The fit counts a reference's chunks from the maps' keys alone (referenceChunkCounts), leaning on
// a reference never being out of its own range or outside its own seen sets. Checked here against
// the full count pass the windows get, on a reference with every kind of problem it can have.
const dir = mkdtempSync(join(tmpdir(), 'osprey-reference-chunks-'));
let store: Store;
const ROWS = 900;
const T0 = Date.UTC(2026, 0, 1);

const SAME = { model: 'chunks', version: 'v1', reference_id: 'ref', prediction_vec: [], tags: {} };

function row(i: number) {
  const num: Record<string, number> = { code: i % 4, amount: (i * 37) % 101 };
  const cat: Record<string, string> = { colour: ['red', 'green', 'blue'][i % 3]! };
  const bool: Record<string, boolean> = { flag: i % 2 === 0 };
  const nulls: string[] = [];
  // amount arrives as text in one row in 9, and is logged as null in one in 11
  if (i % 9 === 0) {
    delete num.amount;
    cat.amount = `#${i}`;
  } else if (i % 11 === 0) {
    delete num.amount;
    nulls.push('amount');
  }
  // colour is left out of one row in 7; flag arrives as a number in one in 13
  if (i % 7 === 0) delete cat.colour;
  if (i % 13 === 0) {
    delete bool.flag;
    num.flag = 1;
  }
  // a third of the rows share one timestamp: ties, as in a reference uploaded at once
  const timestamp = i % 3 === 0 ? T0 : T0 + i;
  return {
    ...SAME,
    timestamp,
    num_features: num,
    cat_features: cat,
    bool_features: bool,
    null_features: nulls,
  };
}

/** A second model's reference, of other features, every row at one timestamp. */
const OTHER_ROWS = 333;
function other(i: number) {
  const r = row(i * 5 + 1);
  return { ...r, model: 'chunks-b', timestamp: T0, num_features: { size: i % 13, weight: i / 3 } };
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await store.insert(Tables.referenceRows, [
    ...Array.from({ length: ROWS }, (_, i) => row(i)),
    ...Array.from({ length: OTHER_ROWS }, (_, i) => other(i)),
  ]);
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the fit reads of a chunk's counts. */
const fitted = (counts: Map<number, Counts>) =>
  [...counts]
    .sort(([a], [b]) => a - b)
    .map(([chunk, c]) => ({
      chunk,
      rows: c.rows,
      rows_with_problems: c.rows_with_problems,
      features: Object.fromEntries(
        [...c.features]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, f]) => [k, { present: f.present, nulls: f.nulls }]),
      ),
    }));

describe("a reference's chunk counts", () => {
  it('equal the full count pass in every count the fit reads', async () => {
    const rows = referenceDatasetRows('ref', { model: 'chunks', referenceId: 'ref' });
    const fit = await fitQuality(store, rows, ROWS);
    const basis = new Map(Object.entries(fit.features));
    const chunk = `toUInt32(toUnixTimestamp64Milli(timestamp) % 5)`;
    const keysOnly = fitted(await referenceChunkCounts(store, rows, [basis], chunk));
    const full = await qualityCounts(store, rows, basis, chunk);
    expect(keysOnly).toEqual(fitted(full));
    // The premise: the full pass finds nothing out of range or unseen in the reference itself.
    for (const c of full.values())
      for (const f of c.features.values()) expect([f.out_of_range, f.unseen]).toEqual([0, 0]);
    // And the reference has every problem the keys-only pass must still see.
    const total = keysOnly.reduce((a, c) => a + c.rows_with_problems, 0);
    expect(keysOnly).toHaveLength(5);
    expect(keysOnly.reduce((a, c) => a + c.rows, 0)).toBe(ROWS);
    expect(total).toBeGreaterThan(ROWS / 4);
    expect(total).toBeLessThan(ROWS / 2);
    expect(keysOnly.some((c) => (c.features.amount?.present.categorical ?? 0) > 0)).toBe(true);
    expect(keysOnly.some((c) => (c.features.amount?.nulls ?? 0) > 0)).toBe(true);
  });

  it("fitted together with another reference's, equal each fitted alone", async () => {
    const refs = [
      { scope: { model: 'chunks' }, referenceId: 'ref', rows: ROWS },
      { scope: { model: 'chunks-b' }, referenceId: 'ref', rows: OTHER_ROWS },
    ];
    const together = await fitQualityOf(
      store,
      referenceDatasetRowsOf('refs', refs),
      new Map(refs.map((r) => [targetKey(r.scope), r.rows])),
    );
    expect(together.size).toBe(2);
    for (const r of refs) {
      const rows = referenceDatasetRows('ref', {
        model: r.scope.model,
        referenceId: r.referenceId,
      });
      const alone = await fitQuality(store, rows, r.rows);
      expect(together.get(targetKey(r.scope))).toEqual(alone);
    }
    const [a, b] = refs.map((r) => together.get(targetKey(r.scope))!);
    expect(Object.keys(a!.features).sort()).not.toEqual(Object.keys(b!.features).sort());
    expect(b!.chunk_size).toBe(Math.floor(OTHER_ROWS / 10));
    expect(b!.rows_with_problems.chunks).toHaveLength(11);
  });
});
