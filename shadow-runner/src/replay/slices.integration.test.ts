import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaySlice, sampleBound, storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SliceReader } from './slices';

const dir = mkdtempSync(join(tmpdir(), 'osprey-slices-'));
const T0 = Date.parse('2026-07-01T00:00:00Z');
const N = 1000;
let store: Store;

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 3650 });
  // Uneven traffic: a burst of 400 events in one second makes a slice far fuller than planned.
  await store.insert(
    'predictions',
    Array.from({ length: N }, (_, i) => ({
      event_id: randomUUID(),
      timestamp: i < 400 ? T0 + 5000 + (i % 7) : T0 + 10_000 + i * 100,
      model: 'slices',
      version: i % 2 ? 'a' : 'b',
      num_features: { f: i },
      prediction_num: i,
    })),
  );
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('hands out every event once, in order, in batches across small slices split when too full', async () => {
  const range = { model: 'slices', from: T0, to: T0 + 10_000 + N * 100 };
  const expected = (await replaySlice(store, range, ['f'], range, N))!;
  const reader = new SliceReader(store, range, ['f'], N, 64, sampleBound(1), 50);
  const got: { id: string; f: number }[] = [];
  const sizes: number[] = [];
  for (;;) {
    const batch = await reader.next(64);
    if (!batch) break;
    sizes.push(batch.n);
    for (let i = 0; i < batch.n; i++) got.push({ id: batch.eventId(i), f: batch.x[i]! });
  }
  expect(got).toEqual(expected.map((r) => ({ id: r.event_id, f: r.x[0] })));
  expect(sizes.slice(0, -1).every((n) => n === 64)).toBe(true);
  expect(sizes.at(-1)).toBe(N - 64 * (sizes.length - 1));
  expect(reader.readMs).toBeGreaterThan(0);
});
