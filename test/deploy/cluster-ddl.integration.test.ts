import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tables, listModels, type Store } from '@osprey/db';
import { ClusterSchema, loadMigrations, migrate } from '@osprey/db/migrate';
import { SHARDING_KEYS } from '@osprey/db/migrate/sharding';
import {
  CLUSTER,
  asDeliveredToOneNode,
  oneNodeCluster,
  type OneNode,
} from '../support/one-node-cluster';

// OSPREY_CLICKHOUSE_CLUSTER's DDL (db/src/migrate/cluster.ts), checked by ClickHouse itself in
// chDB: every statement parses and names the engine and cluster it should; then the schema runs
// on a one-node cluster, where the product's writes and reads go through its Distributed tables.
// Not run here (no Keeper, no second server): replication, the ON CLUSTER queue, two shards.

let dir: string;
let node: OneNode;
let store: Store;
const target = { cluster: CLUSTER, database: 'default' };
/** distributed_product_mode as a store without, then with, the cluster setting sees it. */
let productModes: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'osprey-cluster-'));
  node = await oneNodeCluster(dir);
  // chDB's connection keeps a setting for the queries after it: the store without first.
  productModes = [];
  for (const cluster of [false, true]) {
    const [row] = await node
      .open({ cluster })
      .query<{ mode: string }>(`SELECT getSetting('distributed_product_mode') AS mode`);
    productModes.push(row!.mode);
  }
  store = node.open();
});
afterAll(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

const SHARD_ENGINE =
  /^Replicated(Aggregating)?MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\)$/;
const EVERYWHERE_ENGINE =
  /^ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/all\/\{database\}\/\{table\}', '\{shard\}-\{replica\}'(, \w+)?\)$/;

async function formatted(sql: string): Promise<string> {
  const [row] = await store.query<{ f: string }>('SELECT formatQuery({sql:String}) AS f', { sql });
  return row!.f;
}

describe('every migration rendered for a cluster', () => {
  const schema = new ClusterSchema(target);
  const statements = loadMigrations().flatMap((m) =>
    schema.render(m.sql).map((sql) => ({ migration: `${m.version}_${m.name}`, sql })),
  );
  const created = new Map<string, string>();
  const sharded = new Set<string>();
  const everywhere = new Set<string>();

  it('parses in ClickHouse and names the cluster, the engine and the tables it should', async () => {
    for (const { migration, sql } of statements) {
      const text = await formatted(sql);
      const create = /^CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER osprey\b/.exec(text);
      const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ ON CLUSTER osprey TO (\w+)/.exec(
        text,
      );
      if (create) {
        const name = create[1]!;
        const engine = /\nENGINE = (.+)$/m.exec(text)?.[1] ?? '';
        created.set(name, engine);
        if (name.endsWith('_local')) {
          expect(engine, migration).toMatch(/Null/.test(engine) ? /^`Null`$/ : SHARD_ENGINE);
        } else if (engine.startsWith('Distributed')) {
          sharded.add(name);
          expect(created.has(`${name}_local`), migration).toBe(true);
          expect(text, migration).toContain(`AS ${name}_local`);
          expect(engine, migration).toBe(
            `Distributed('osprey', 'default', '${name}_local', ${SHARDING_KEYS[name]})`,
          );
        } else {
          everywhere.add(name);
          expect(engine, migration).toMatch(EVERYWHERE_ENGINE);
        }
      } else if (view) {
        // A view reads the rows inserted on its node and writes them next to them.
        const to = view[1]!;
        expect(to.endsWith('_local') || everywhere.has(to), `${migration} TO ${to}`).toBe(true);
        for (const [, table] of text.matchAll(/\bFROM (\w+)/g)) {
          expect(table!.endsWith('_local') || everywhere.has(table!), `${migration} ${table}`).toBe(
            true,
          );
        }
      } else if (text.startsWith('ALTER TABLE')) {
        expect(text, migration).toMatch(/^ALTER TABLE \w+ ON CLUSTER osprey\s/);
      } else {
        // A backfill: through the Distributed tables, like every writer.
        const into = /^INSERT INTO (\w+)/.exec(text)?.[1];
        expect(into && sharded.has(into), migration).toBe(true);
        expect(text, migration).not.toContain('ON CLUSTER');
      }
    }
    expect([...sharded].sort()).toEqual(Object.keys(SHARDING_KEYS).sort());
    expect([...everywhere]).toEqual(expect.arrayContaining([Tables.users, Tables.modelSettings]));
  });
});

describe('the cluster schema on a one-node cluster (chDB, remote_servers = localhost)', () => {
  const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;

  let concurrent: string[][];
  beforeAll(async () => {
    // Two processes starting together both migrate: a second store on the same database.
    const second = node.open();
    const results = await Promise.all(
      [store, second].map((s) => migrate(s, { retentionDays: 7, cluster: target })),
    );
    concurrent = results.map((r) => r.applied);
  });

  it('migrates from two connections at once, every migration applied by one or both', () => {
    const all = loadMigrations().map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
    expect(new Set(concurrent.flat())).toEqual(new Set(all));
  });

  it('runs with the settings the ClickHouse store sends on a cluster, and only there', async () => {
    expect(productModes).toEqual(['deny', 'global']);
    const [row] = await store.query<{ foreground: boolean }>(
      `SELECT getSetting('distributed_foreground_insert') AS foreground`,
    );
    expect(row).toEqual({ foreground: true });
  });

  it('makes each table what the rendering says', async () => {
    const rows = await store.query<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = currentDatabase()
       AND name IN ('predictions', 'predictions_local', 'predictions_landing',
                    'predictions_landing_local', 'users', 'schema_migrations')
       ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'predictions', engine: 'Distributed' },
      { name: 'predictions_landing', engine: 'Distributed' },
      { name: 'predictions_landing_local', engine: 'Null' },
      { name: 'predictions_local', engine: 'MergeTree' },
      { name: 'schema_migrations', engine: 'ReplacingMergeTree' },
      { name: 'users', engine: 'ReplacingMergeTree' },
    ]);
  });

  it('sets the retention TTL on the local tables', async () => {
    const [row] = await store.query<{ q: string }>(
      `SELECT create_table_query AS q FROM system.tables
       WHERE database = currentDatabase() AND name = 'predictions_local'`,
    );
    expect(row!.q).toContain('toIntervalDay(7)');
  });

  it('records every migration once, and a second run applies none', async () => {
    const again = await migrate(store, { retentionDays: 7, cluster: target });
    expect(again.applied).toEqual([]);
    const [row] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.schemaMigrations} FINAL`,
    );
    expect(Number(row!.n)).toBe(loadMigrations().length);
  });

  it('carries predictions inserted into the Distributed landing table to predictions and every rollup', async () => {
    await store.insert(Tables.modelSettings, [
      { model: 'm', settings: JSON.stringify({ segments: ['region'] }), updated_by: 't' },
    ]);
    const rows = Array.from({ length: 120 }, (_, i) => ({
      event_id: crypto.randomUUID(),
      timestamp: new Date(T0 + i * 30_000).toISOString(),
      model: i % 4 === 0 ? 'n' : 'm',
      version: 'v1',
      latency_ms: 5 + (i % 7),
      error: i % 10 === 0 ? 'boom' : '',
      tags: { region: i % 2 === 0 ? 'eu' : 'us' },
      request_id: `r${i}`,
    }));
    await store.insert(Tables.predictionsLanding, rows);
    const counts = await store.query<{ t: string; n: string }>(
      `SELECT 'raw' AS t, toString(count()) AS n FROM ${Tables.predictions}
       UNION ALL SELECT '1m', toString(sum(events)) FROM ${Tables.predictions1m}
       UNION ALL SELECT '1h', toString(sum(events)) FROM ${Tables.predictions1h}
       UNION ALL SELECT 'seg1m', toString(sum(events)) FROM ${Tables.predictionsSegments1m}
       UNION ALL SELECT 'seg1h', toString(sum(events)) FROM ${Tables.predictionsSegments1h}`,
    );
    expect(Object.fromEntries(counts.map((c) => [c.t, Number(c.n)]))).toEqual({
      raw: 120,
      '1m': 120,
      '1h': 120,
      seg1m: 90,
      seg1h: 90,
    });
    // The product's own query, from the rollup and from raw rows, agrees.
    expect(await listModels(store)).toEqual(await listModels(store, { raw: true }));
  });

  it('answers the scheduler’s predictions-by-labels subquery through both Distributed tables', async () => {
    const [p] = await store.query<{ id: string }>(
      `SELECT toString(event_id) AS id FROM ${Tables.predictions} ORDER BY timestamp LIMIT 1`,
    );
    await store.insert(Tables.labels, [
      { model: 'n', event_id: p!.id, request_id: '', label_num: 1, timestamp: new Date(T0) },
    ]);
    const rows = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.predictions}
       WHERE model = 'n' AND event_id IN (SELECT assumeNotNull(event_id) FROM ${Tables.labels}
                                          WHERE model = 'n' AND event_id IS NOT NULL)`,
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('reads the latest version of a configuration row with FINAL', async () => {
    const id = crypto.randomUUID();
    const user = { id, email: 'a@x', name: 'A', role: 'viewer', password_hash: '' };
    await store.insert(Tables.users, [{ ...user, created_at: T0, updated_at: T0 }]);
    await store.insert(Tables.users, [
      { ...user, role: 'admin', created_at: T0, updated_at: T0 + 1 },
    ]);
    const rows = await store.query<{ role: string }>(
      `SELECT role FROM ${Tables.users} FINAL WHERE id = {id:UUID}`,
      { id },
    );
    expect(rows).toEqual([{ role: 'admin' }]);
  });

  it('runs a statement as a node would after the ON CLUSTER queue, replication aside', () => {
    expect(
      asDeliveredToOneNode(
        `CREATE TABLE IF NOT EXISTS t ON CLUSTER osprey (x UInt8)\nENGINE = ReplicatedReplacingMergeTree('/p/{table}', '{replica}', x)`,
      ),
    ).toBe('CREATE TABLE IF NOT EXISTS t (x UInt8)\nENGINE = ReplacingMergeTree(x)');
  });
});
