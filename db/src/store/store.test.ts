import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEnv } from '../config';
import { loadMigrations, migrate } from '../migrate/migrate';
import { runReadOnlySql } from '../queries/readonly-sql';
import { ClickHouseStore, type ClickHouseConfig } from './clickhouse-store';
import { createStore } from './create-store';
import type { Store } from './store';

// One suite for every backend: chDB; the ClickHouse backend's @clickhouse/client code on chDB's
// in-process connection; and a real ClickHouse server when CLICKHOUSE_URL is set.
type Open = (dataDir: string) => Promise<Store>;
const backends: { name: string; open: Open }[] = [
  { name: 'chdb', open: (dir) => createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir })) },
  {
    name: '@clickhouse/client on chdb/connection',
    open: async (dir) => {
      const { createChdbConnection } = await import('chdb/connection');
      // chdb types its connection against its own copy of @clickhouse/client-common's types.
      const connection = createChdbConnection({
        path: dir,
      }) as unknown as ClickHouseConfig['connection'];
      return new ClickHouseStore({ connection });
    },
  },
];
if (process.env.CLICKHOUSE_URL) {
  backends.push({
    name: 'ClickHouse server',
    open: () => createStore(storeEnv.parse(process.env)),
  });
} else {
  console.warn('store suite: CLICKHOUSE_URL is not set, so the ClickHouse SERVER run was SKIPPED');
}

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

  it('runs read-only SQL and refuses writes', async () => {
    expect(await runReadOnlySql(store, "SELECT 1 AS one, 'a\tb' AS s")).toBe('one\ts\n1\ta\\tb\n');
    await expect(
      runReadOnlySql(store, "INSERT INTO audit_log (actor) VALUES ('x')"),
    ).rejects.toThrow(/only one SELECT/);
    await expect(runReadOnlySql(store, 'SELECT 1; DROP TABLE labels')).rejects.toThrow(
      /only one SELECT/,
    );
    await expect(
      runReadOnlySql(store, "WITH 1 AS x INSERT INTO audit_log (actor) SELECT 'x'"),
    ).rejects.toThrow(/readonly/i);
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
