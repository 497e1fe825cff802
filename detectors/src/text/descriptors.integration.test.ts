import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecdfStatistics } from '../drift/numeric-sql';
import { numericPairs } from '../sql/rows';
import { descriptorKey, textDescriptorRows } from './descriptors';

let store: Store;
beforeAll(async () => {
  store = await createStore(
    storeEnv.parse({ OSPREY_DATA_DIR: mkdtempSync(join(tmpdir(), 'osprey-text-')) }),
  );
  await migrate(store, { retentionDays: 90 });
});
afterAll(async () => {
  await store?.close();
});

const model = 'text-model';
const now = Date.now();
const at = (base: number, i: number) => new Date(base + i * 1000).toISOString().replace('Z', '');
// Reference texts get fixed times (their table has no TTL): the halves a reference is split in
// hash the time, so a time taken from the clock would leave both texts' halves to chance.
const REFERENCE_BASE = Date.parse('2026-01-01T00:00:00Z');

async function insertTexts(
  table: string,
  rows: { name: string; text: string }[],
  extra: Record<string, string> = {},
  base = now - 3_600_000,
) {
  await store.insert(
    table,
    rows.map((r, i) => ({ model, version: 'v1', timestamp: at(base, i), ...r, ...extra })),
  );
}

/** Each text's descriptors, as the numeric drift SQL reads them: (k, v) pairs in row order. */
async function descriptors(rows: ReturnType<typeof textDescriptorRows>) {
  const pairs = await store.query<{ k: string; v: number; t: string }>(
    `SELECT t, k, v FROM (${numericPairs(rows, 'toString(timestamp) AS t,')}) ORDER BY t, k`,
    rows.params,
  );
  return pairs;
}

describe('text descriptors', () => {
  beforeAll(async () => {
    await insertTexts(
      Tables.referenceTexts,
      [
        { name: 'prompt', text: 'the cat sat' },
        { name: 'prompt', text: 'The dog ran' },
        { name: 'prompt', text: 'a cat and a dog' },
        { name: 'prompt', text: 'the bird sang' },
        { name: 'answer', text: 'yes' },
      ],
      { reference_id: 'r1' },
      REFERENCE_BASE,
    );
    await insertTexts(
      Tables.predictionTexts,
      [
        { name: 'prompt', text: 'The cat FLEW!' },
        { name: 'prompt', text: '   ' },
        { name: 'prompt', text: '' },
        { name: 'prompt', text: 'Ünïcödé 42 😀' },
        { name: 'answer', text: 'cat' },
      ].map((r) => ({ ...r, event_id: crypto.randomUUID() })),
    );
  });

  it('gives each window text its lengths, non-letter share, emptiness and OOV share against the reference vocabulary of its name', async () => {
    const rows = textDescriptorRows(
      'w',
      { kind: 'window', model, from: now - 7_200_000, to: now },
      { referenceId: 'r1' },
    );
    const byText = new Map<string, Record<string, number>>();
    for (const { t, k, v } of await descriptors(rows)) {
      byText.set(t, { ...byText.get(t), [k]: v });
    }
    const k = descriptorKey;
    expect([...byText.values()]).toEqual([
      {
        [k('prompt', 'chars')]: 13,
        [k('prompt', 'words')]: 3,
        [k('prompt', 'non_letter_share')]: 1 / 13, // '!'; spaces are not counted
        [k('prompt', 'empty')]: 0,
        [k('prompt', 'oov_share')]: 1 / 3, // 'flew'; 'The' and 'cat' are seen (lower-cased)
      },
      {
        [k('prompt', 'chars')]: 3,
        [k('prompt', 'words')]: 0,
        [k('prompt', 'non_letter_share')]: 0,
        [k('prompt', 'empty')]: 1,
      },
      { [k('prompt', 'chars')]: 0, [k('prompt', 'words')]: 0, [k('prompt', 'empty')]: 1 },
      {
        [k('prompt', 'chars')]: 12, // code points: the emoji is one
        [k('prompt', 'words')]: 2,
        [k('prompt', 'non_letter_share')]: 3 / 12, // '4', '2', '😀'
        [k('prompt', 'empty')]: 0,
        [k('prompt', 'oov_share')]: 1,
      },
      {
        // 'cat' is in prompt's vocabulary, not in answer's.
        [k('answer', 'chars')]: 3,
        [k('answer', 'words')]: 1,
        [k('answer', 'non_letter_share')]: 0,
        [k('answer', 'empty')]: 0,
        [k('answer', 'oov_share')]: 1,
      },
    ]);
  });

  it('measures a reference text against the other half of the reference vocabulary', async () => {
    const rows = textDescriptorRows(
      'r',
      { kind: 'reference', model, referenceId: 'r1' },
      { referenceId: 'r1' },
    );
    const halves = await store.query<{ t: string; text: string; half: number }>(
      `SELECT toString(timestamp) AS t, text, cityHash64(timestamp, text) % 2 AS half
       FROM ${Tables.referenceTexts} WHERE model = {model:String} AND name = 'prompt' ORDER BY t`,
      { model },
    );
    const words = (text: string) =>
      text
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter(Boolean);
    const expected = halves.map((row) => {
      const other = new Set(
        halves.filter((h) => h.half !== row.half).flatMap((h) => words(h.text)),
      );
      const w = words(row.text);
      return w.filter((x) => !other.has(x)).length / w.length;
    });
    const got = (await descriptors(rows))
      .filter((p) => p.k === descriptorKey('prompt', 'oov_share'))
      .map((p) => p.v);
    expect(got).toEqual(expected);
    // Both halves hold texts here, so no share is the 1 of an empty vocabulary everywhere.
    expect(new Set(halves.map((h) => h.half)).size).toBe(2);
  });

  it('feeds the numeric drift statistics unchanged', async () => {
    const reference = textDescriptorRows(
      'r',
      { kind: 'reference', model, referenceId: 'r1' },
      { referenceId: 'r1' },
    );
    const window = textDescriptorRows(
      'w',
      { kind: 'window', model, from: now - 7_200_000, to: now },
      { referenceId: 'r1' },
    );
    const key = descriptorKey('prompt', 'chars');
    const stats = await ecdfStatistics(store, reference, window, [key]);
    // Reference lengths 11, 11, 13, 15; window 0, 3, 12, 13: the CDFs differ most below 11 (1/2).
    expect(stats.get(key)!.ks).toBeCloseTo(0.5, 12);
  });
});
