import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, storeEnv } from '../config';
import type { Store } from '../store/store';
import { ClusterSchema, clusterTarget } from './cluster';
import { loadMigrations, migrate } from './migrate';

const target = { cluster: 'osprey', database: 'monitoring' };

/** A store that records every command and answers every query with no rows. */
function recordingStore(): Store & { commands: string[] } {
  const commands: string[] = [];
  const store = {
    backend: 'clickhouse',
    commands,
    command: (sql: string) => {
      commands.push(sql);
      return Promise.resolve();
    },
    query: () => Promise.resolve([]),
    insert: () => Promise.resolve(),
  };
  return store as unknown as Store & { commands: string[] };
}

describe('migrate without a cluster', () => {
  it('sends the ledger and every migration file byte for byte, nothing else', async () => {
    const store = recordingStore();
    await migrate(store, { retentionDays: 90 });
    const files = loadMigrations().map((m) => m.sql);
    expect(store.commands.slice(1)).toEqual(files);
    expect(store.commands[0]).toBe(`
    CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = ReplacingMergeTree ORDER BY version`);
  });
});

describe('migrate with a cluster', () => {
  it('runs every DDL statement ON CLUSTER, the ledger replicated to every node', async () => {
    const store = recordingStore();
    await migrate(store, { retentionDays: 90, cluster: target });
    const [ledger, ...rest] = store.commands;
    expect(ledger).toContain('schema_migrations ON CLUSTER osprey');
    expect(ledger).toContain(
      `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}')`,
    );
    for (const sql of rest) {
      if (sql.startsWith('INSERT INTO')) expect(sql).not.toContain('ON CLUSTER');
      else expect(sql).toMatch(/^(CREATE|ALTER) [A-Z ]+ [a-z0-9_]+ ON CLUSTER osprey[\s(]/);
    }
    expect(rest.length).toBeGreaterThan(loadMigrations().length);
  });

  it('refuses a database migrated without a cluster, whose ledger would say all is done', async () => {
    const store = recordingStore();
    store.query = (() => Promise.resolve([{ engine: 'MergeTree' }])) as Store['query'];
    await expect(migrate(store, { retentionDays: 90, cluster: target })).rejects.toThrow(
      /migrated without it \(predictions is MergeTree, not Distributed\)/,
    );
    expect(store.commands).toEqual([]);
  });

  it('refuses a second rendering of a table the first never created', () => {
    const schema = new ClusterSchema(target);
    expect(() => schema.render('ALTER TABLE predictions ADD COLUMN x UInt8')).toThrow(
      /predictions was not created by an earlier migration/,
    );
  });
});

describe('ClusterSchema.render', () => {
  it('makes a ReplacingMergeTree one replicated table on every node, its arguments kept', () => {
    const schema = new ClusterSchema(target);
    const [sql, ...more] = schema.render(`-- users
CREATE TABLE IF NOT EXISTS users
(
    id UUID,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id`);
    expect(more).toEqual([]);
    expect(sql).toBe(`CREATE TABLE IF NOT EXISTS users ON CLUSTER osprey
(
    id UUID,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}', updated_at)
ORDER BY id`);
    expect(schema.placement('users')).toEqual({ kind: 'everywhere' });
  });

  it('makes a MergeTree a replicated local table per shard and a Distributed table by its name', () => {
    const schema = new ClusterSchema(target);
    const statements = schema.render(`CREATE TABLE IF NOT EXISTS predictions
(
    event_id UUID
)
ENGINE = MergeTree
ORDER BY event_id
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`);
    expect(statements).toEqual([
      `CREATE TABLE IF NOT EXISTS predictions_local ON CLUSTER osprey
(
    event_id UUID
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY event_id
SETTINGS ttl_only_drop_parts = 1, replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS predictions ON CLUSTER osprey AS predictions_local
ENGINE = Distributed('osprey', 'monitoring', 'predictions_local', cityHash64(event_id))`,
    ]);
  });

  it('keeps a landing table Null on each shard, behind a Distributed table', () => {
    const schema = new ClusterSchema(target);
    const [local, distributed] = schema.render(
      'CREATE TABLE IF NOT EXISTS predictions_landing\n(\n    event_id UUID\n)\nENGINE = Null',
    );
    expect(local).toBe(
      'CREATE TABLE IF NOT EXISTS predictions_landing_local ON CLUSTER osprey\n(\n    event_id UUID\n)\nENGINE = Null',
    );
    expect(distributed).toContain(
      `Distributed('osprey', 'monitoring', 'predictions_landing_local', cityHash64(event_id))`,
    );
  });

  it('attaches a view to the local tables, the source aliased so qualified columns still resolve', () => {
    const schema = new ClusterSchema(target);
    schema.render('CREATE TABLE IF NOT EXISTS predictions\n(\n    x UInt8\n)\nENGINE = MergeTree');
    schema.render(
      'CREATE TABLE IF NOT EXISTS predictions_1m\n(\n    x UInt8\n)\nENGINE = MergeTree',
    );
    schema.render(
      'CREATE TABLE IF NOT EXISTS model_settings\n(\n    x UInt8\n)\nENGINE = ReplacingMergeTree',
    );
    const [view] =
      schema.render(`CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_1m_view TO predictions_1m
AS SELECT max(predictions.x) AS x
   FROM predictions
   WHERE x IN (SELECT x FROM model_settings)`);
    expect(view)
      .toBe(`CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_1m_view ON CLUSTER osprey TO predictions_1m_local AS SELECT max(predictions.x) AS x
   FROM predictions_local AS predictions
   WHERE x IN (SELECT x FROM model_settings)`);
  });

  it('refuses a view into a sharded table that reads a second sharded table', () => {
    const schema = new ClusterSchema(target);
    for (const t of ['predictions', 'labels', 'predictions_1m']) {
      schema.render(`CREATE TABLE IF NOT EXISTS ${t}\n(\n    x UInt8\n)\nENGINE = MergeTree`);
    }
    expect(() =>
      schema.render(`CREATE MATERIALIZED VIEW IF NOT EXISTS v TO predictions_1m
AS SELECT x FROM predictions WHERE x IN (SELECT x FROM labels)`),
    ).toThrow(/exactly one sharded table/);
  });

  it('changes a sharded table’s columns on the local table first, then on the Distributed one', () => {
    const schema = new ClusterSchema(target);
    schema.render('CREATE TABLE IF NOT EXISTS labels\n(\n    x UInt8\n)\nENGINE = MergeTree');
    expect(schema.render('ALTER TABLE labels ADD COLUMN IF NOT EXISTS y String')).toEqual([
      'ALTER TABLE labels_local ON CLUSTER osprey ADD COLUMN IF NOT EXISTS y String',
      'ALTER TABLE labels ON CLUSTER osprey ADD COLUMN IF NOT EXISTS y String',
    ]);
    expect(() => schema.render('ALTER TABLE labels DELETE WHERE x = 1')).toThrow(/column changes/);
  });

  it('leaves a backfill as it is: it reads and writes the Distributed tables', () => {
    const schema = new ClusterSchema(target);
    schema.render(
      'CREATE TABLE IF NOT EXISTS predictions_1m\n(\n    x UInt8\n)\nENGINE = MergeTree',
    );
    const sql = "INSERT INTO predictions_1m\nSETTINGS insert_deduplication_token = 't'\nSELECT 1";
    expect(schema.render(sql)).toEqual([sql]);
  });

  it('refuses what it has no cluster form for, naming what to do', () => {
    const schema = new ClusterSchema(target);
    expect(() => schema.render('OPTIMIZE TABLE predictions FINAL')).toThrow(/teach db\/src/);
    expect(() =>
      schema.render('CREATE TABLE IF NOT EXISTS t\n(\n    x UInt8\n)\nENGINE = Memory'),
    ).toThrow(/no cluster form for ENGINE = Memory/);
    expect(() =>
      schema.render('CREATE TABLE IF NOT EXISTS no_key\n(\n    x UInt8\n)\nENGINE = MergeTree'),
    ).toThrow(/add its sharding key to db\/src\/migrate\/sharding.ts/);
  });

  it('takes only plain identifiers for the cluster and the database', () => {
    expect(() => new ClusterSchema({ cluster: "x' --", database: 'd' })).toThrow(/identifier/);
    expect(() => new ClusterSchema({ cluster: 'c', database: 'a.b' })).toThrow(/identifier/);
  });
});

describe('clusterTarget', () => {
  const base = { CLICKHOUSE_DATABASE: 'default' };
  it('reads OSPREY_CLICKHOUSE_CLUSTER as a plain identifier only', () => {
    expect(
      parseEnv(storeEnv, { OSPREY_CLICKHOUSE_CLUSTER: 'prod_1' }).OSPREY_CLICKHOUSE_CLUSTER,
    ).toBe('prod_1');
    expect(() => parseEnv(storeEnv, { OSPREY_CLICKHOUSE_CLUSTER: 'a b' })).toThrow(
      /OSPREY_CLICKHOUSE_CLUSTER: must be a plain identifier/,
    );
  });
  it('is undefined without OSPREY_CLICKHOUSE_CLUSTER', () => {
    expect(clusterTarget({ ...base, CLICKHOUSE_URL: 'http://ch:8123' })).toBeUndefined();
  });
  it('needs a ClickHouse server', () => {
    expect(() => clusterTarget({ ...base, OSPREY_CLICKHOUSE_CLUSTER: 'osprey' })).toThrow(
      ConfigError,
    );
  });
  it('names the cluster and the database', () => {
    expect(
      clusterTarget({ ...base, CLICKHOUSE_URL: 'http://ch:8123', OSPREY_CLICKHOUSE_CLUSTER: 'c1' }),
    ).toEqual({ cluster: 'c1', database: 'default' });
  });
});
