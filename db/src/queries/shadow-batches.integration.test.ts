import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate/migrate';
import type { Store } from '../store/store';
import { storeBackends } from '../store/test-backends';
import { AGREE_NULL, insertShadowBatches, shadowEvents, type ShadowBatch } from './shadow-batches';
import { insertShadowResults, type ShadowResultRow } from './shadow';

const T0 = Date.parse('2026-06-01T00:00:00Z');

/** Event i of a batch, with a null in every nullable column for some events. */
function event(i: number) {
  return {
    timestamp: T0 + i * 1500 + (i % 3),
    production_version: i % 4 === 0 ? 'v1' : 'vé-2',
    production_num: i % 5 === 0 ? null : i * 1.25 - 3,
    production_label: i % 2 ? `lab ${i % 3} ✓` : null,
    candidate_num: i % 6 === 0 ? null : i * 0.5,
    candidate_label: i % 2 ? `lab ${i % 2}` : null,
    abs_diff: i % 7 === 0 ? null : i / 3,
    agree: i % 3 === 0 ? null : i % 2,
    label_num: i % 8 === 0 ? 100 + i : null,
    label_str: i % 9 === 0 ? 'truth' : null,
  };
}

function batch(runId: string, no: number, events: ReturnType<typeof event>[]): ShadowBatch {
  const nums = (k: 'production_num' | 'candidate_num' | 'abs_diff' | 'label_num') =>
    Float64Array.from(events, (e) => e[k] ?? NaN);
  return {
    run_id: runId,
    batch: no,
    model: 'batches',
    candidate_version: 'v9',
    batch_ms: 2.5,
    n: events.length,
    timestamp: Float64Array.from(events, (e) => e.timestamp),
    production_version: events.map((e) => e.production_version),
    production_num: nums('production_num'),
    production_label: events.map((e) => e.production_label),
    candidate_num: nums('candidate_num'),
    candidate_label: events.map((e) => e.candidate_label),
    abs_diff: nums('abs_diff'),
    agree: Uint8Array.from(events, (e) => e.agree ?? AGREE_NULL),
    label_num: nums('label_num'),
    label_str: events.map((e) => e.label_str),
  };
}

const COLUMNS = `toUnixTimestamp64Milli(timestamp) AS timestamp, production_version, production_num,
  production_label, candidate_num, candidate_label, abs_diff, agree, label_num, label_str`;

// Not the @clickhouse/client-on-chdb/connection backend: that adapter pastes an insert's body
// into the SQL text as UTF-8 (chdb/dist/connection streamToString), so no binary body survives
// it. A ClickHouse server takes the body as bytes; test/support/clickhouse-standin.ts does too.
const backends = storeBackends('shadow batches suite').filter(
  (b) => !b.name.includes('chdb/connection'),
);

describe.each(backends)('shadow batches on $name', ({ open }) => {
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'osprey-shadow-batches-'));

  beforeAll(async () => {
    store = await open(dir);
    await migrate(store, { retentionDays: 3650 });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back every event of every batch with shadow_results columns and nulls', async () => {
    const run = randomUUID();
    const events = Array.from({ length: 50 }, (_, i) => event(i));
    await insertShadowBatches(store, [
      batch(run, 0, events.slice(0, 20)),
      batch(run, 1, events.slice(20, 21)),
      batch(run, 2, events.slice(21)),
      batch(run, 3, []),
    ]);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM ${shadowEvents('run')} ORDER BY timestamp`,
      { id: run },
    );
    expect(rows.map((r) => ({ ...r, timestamp: Number(r.timestamp) }))).toEqual(events);
  });

  it('keeps the exact time of events months apart in one batch (a quiet model)', async () => {
    const run = randomUUID();
    const events = [0, 1, 2].map((k) => ({ ...event(k), timestamp: T0 + k * 60 * 86_400_000 + k }));
    await insertShadowBatches(store, [batch(run, 0, events)]);
    const rows = await store.query<{ t: string }>(
      `SELECT toUnixTimestamp64Milli(timestamp) AS t FROM ${shadowEvents('run')} ORDER BY t`,
      { id: run },
    );
    expect(rows.map((r) => Number(r.t))).toEqual(events.map((e) => e.timestamp));
  });

  it('reads a run scored before shadow_batches from shadow_results, and a window of a model', async () => {
    const legacy = randomUUID();
    const events = Array.from({ length: 10 }, (_, i) => event(i + 100));
    await insertShadowResults(
      store,
      events.map((e, i): ShadowResultRow => ({
        ...e,
        run_id: legacy,
        event_id: randomUUID(),
        model: 'legacy',
        candidate_version: 'v9',
        batch_ms: 1,
        agree: e.agree,
        timestamp: e.timestamp + i,
      })),
    );
    const rows = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${shadowEvents('run')}`,
      { id: legacy },
    );
    expect(Number(rows[0]!.n)).toBe(10);

    const run = randomUUID();
    const events40 = Array.from({ length: 40 }, (_, i) => event(i));
    await insertShadowBatches(store, [{ ...batch(run, 0, events40), model: 'window' }]);
    // Events 10..19 (1.5 s apart from T0): the window cuts inside the batch.
    const window = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${shadowEvents('window')}`,
      { model: 'window', from: T0 + 15_000, to: T0 + 30_000 },
    );
    expect(Number(window[0]!.n)).toBe(10);
  });
});
