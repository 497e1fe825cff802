import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate/migrate';
import type { Store } from './store';
import { storeBackends } from './test-backends';

const backends = storeBackends('store suite');

describe.each(backends)('Store on $name', ({ open }) => {
  let store: Store;
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-store-'));

  beforeAll(async () => {
    store = await open(dataDir);
    await migrate(store, { retentionDays: 30 });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records every migration once and is idempotent', async () => {
    const again = await migrate(store, { retentionDays: 30 });
    expect(again.applied).toEqual([]);
    const rows = await store.query<{ version: number }>(
      'SELECT version FROM schema_migrations FINAL ORDER BY version',
    );
    expect(rows.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
  });

  it('applies the retention from configuration to the TTL', async () => {
    await migrate(store, { retentionDays: 7 });
    const [row] = await store.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'predictions'",
    );
    expect(row!.q).toContain('toIntervalDay(7)');
    await migrate(store, { retentionDays: 30 });
  });

  it('round-trips rows with bound parameters, quotes and all', async () => {
    const model = `m'; DROP TABLE predictions; --`;
    await store.insert('audit_log', [
      { actor: 'test', action: 'x', target: model, details: '{}', timestamp: Date.now() },
    ]);
    const rows = await store.query<{ target: string }>(
      'SELECT target FROM audit_log WHERE target = {t:String}',
      { t: model },
    );
    expect(rows).toEqual([{ target: model }]);
    const tables = await store.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE name = 'predictions'",
    );
    expect(tables).toHaveLength(1);
  });

  it('drops a repeated insert that carries the same deduplication token', async () => {
    const line = Buffer.from(
      JSON.stringify({ model: 'dedup', label_num: 1, request_id: 'r1', timestamp: Date.now() }),
    );
    await store.insertJsonLines('labels', line, { deduplicationToken: 'token-1' });
    await store.insertJsonLines('labels', line, { deduplicationToken: 'token-1' });
    await store.insertJsonLines('labels', line, { deduplicationToken: 'token-2' });
    const [row] = await store.query<{ n: string }>(
      "SELECT count() AS n FROM labels WHERE model = 'dedup'",
    );
    expect(Number(row!.n)).toBe(2);
  });

  it('reports a failing statement as a StoreError with the engine message', async () => {
    await expect(store.query('SELECT no_such_column FROM predictions')).rejects.toMatchObject({
      name: 'StoreError',
      message: expect.stringContaining('no_such_column'),
    });
  });

  it('tells refused data from other failures, and a refused insert stores nothing', async () => {
    const before = await store.query<{ n: string }>('SELECT count() AS n FROM labels');
    const good = JSON.stringify({ model: 'bad-data', version: 'v', timestamp: Date.now() });
    const bad = JSON.stringify({ model: 'bad-data', version: 'v', timestamp: 'yesterday' });
    const refused = await store
      .insertJsonLines('labels', Buffer.from(`${good}\n${good}\n${bad}`))
      .catch((err: unknown) => err);
    expect(refused).toMatchObject({ name: 'StoreError', isBadData: true });
    expect(await store.query('SELECT count() AS n FROM labels')).toEqual(before);
    const missing = await store.query('SELECT nope FROM labels').catch((err: unknown) => err);
    expect(missing).toMatchObject({ name: 'StoreError', isBadData: false });
  });
});
