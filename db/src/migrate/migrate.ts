import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store';
import { RETAINED_TABLES, Tables } from '../tables';
import { ClusterSchema, type ClusterTarget } from './cluster';

export { ClusterSchema, clusterTarget, type ClusterTarget } from './cluster';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads db/migrations/NNNN_name.sql; refuses duplicate numbers and multi-statement files. */
export function loadMigrations(
  dir = join(import.meta.dirname, '..', '..', 'migrations'),
): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migrations: ${file} is not named NNNN_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8').trim().replace(/;\s*$/, '');
    if (withoutComments(sql).includes(';')) {
      throw new Error(`migrations: ${file} has more than one statement; split it into files`);
    }
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new Error(`migrations: two files are numbered ${match[1]}`);
    }
    migrations.push({ version, name: match[2]!, sql, checksum: sha256(sql) });
  }
  return migrations;
}

export interface MigrateResult {
  applied: string[];
  retentionDays: number;
}

const LEDGER = `
    CREATE TABLE IF NOT EXISTS ${Tables.schemaMigrations}
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = ReplacingMergeTree ORDER BY version`;

/**
 * Applies the migrations not yet recorded in schema_migrations, in order. Each statement is
 * idempotent (IF NOT EXISTS), so a crash between applying and recording is repaired by a rerun.
 * With a cluster, each migration runs as its cluster rendering (./cluster.ts): ON CLUSTER DDL,
 * replicated tables, and a ledger replicated to every node, so any node's migrate sees it.
 */
export async function migrate(
  store: Store,
  opts: { retentionDays: number; migrations?: Migration[]; cluster?: ClusterTarget },
): Promise<MigrateResult> {
  const migrations = opts.migrations ?? loadMigrations();
  const schema = opts.cluster ? new ClusterSchema(opts.cluster) : undefined;
  // Rendered up front: a migration's cluster form depends on the tables earlier ones created.
  const statements = (sql: string) => (schema ? schema.render(sql) : [sql]);
  const rendered = migrations.map((m) => statements(m.sql));
  if (schema) await refuseSingleNodeSchema(store);
  for (const sql of statements(LEDGER)) await store.command(sql);
  const recorded = await store.query<{ version: number; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ${Tables.schemaMigrations} FINAL`,
  );
  const done = new Map(recorded.map((r) => [Number(r.version), r]));
  const applied: string[] = [];
  for (const [i, m] of migrations.entries()) {
    const previous = done.get(m.version);
    if (previous) {
      if (previous.checksum !== m.checksum) {
        throw new Error(
          `migration ${m.version}_${m.name} changed after it was applied; add a new migration instead`,
        );
      }
      continue;
    }
    for (const sql of rendered[i]!) await store.command(sql);
    await store.insert(Tables.schemaMigrations, [
      { version: m.version, name: m.name, checksum: m.checksum },
    ]);
    applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  await applyRetention(store, opts.retentionDays, schema);
  return { applied, retentionDays: opts.retentionDays };
}

/**
 * A database first migrated without a cluster has plain tables and a ledger that says every
 * migration is applied: migrating it for a cluster would change nothing and report success.
 */
async function refuseSingleNodeSchema(store: Store): Promise<void> {
  const [table] = await store.query<{ engine: string }>(
    `SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {name:String}`,
    { name: Tables.predictions },
  );
  if (table && table.engine !== 'Distributed') {
    throw new Error(
      `OSPREY_CLICKHOUSE_CLUSTER is set, but this database was migrated without it (${Tables.predictions} is ${table.engine}, not Distributed): migrate an empty database on the cluster and copy the data across (docs/deploy.md, "ClickHouse cluster")`,
    );
  }
}

/**
 * Sets the TTL of the retained tables, only when it differs (a change rewrites TTL info). On a
 * cluster the TTL belongs to the local tables (a Distributed table stores nothing), on every node.
 */
async function applyRetention(store: Store, days: number, schema?: ClusterSchema): Promise<void> {
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`retention must be a whole number of days, got ${days}`);
  const names = RETAINED_TABLES.map((t) => {
    const placement = schema?.placement(t);
    return placement?.kind === 'sharded' ? placement.local : t;
  });
  const tables = await store.query<{ name: string; create_table_query: string }>(
    `SELECT name, create_table_query FROM system.tables
     WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
    { names },
  );
  for (const { name, create_table_query } of tables) {
    const current = /toIntervalDay\((\d+)\)/.exec(create_table_query)?.[1];
    if (Number(current) === days) continue;
    // DDL takes no bound parameters; `days` is a validated integer, never outside text.
    await store.command(
      `ALTER TABLE ${name}${schema ? ` ON CLUSTER ${schema.cluster}` : ''} MODIFY TTL toDateTime(timestamp) + toIntervalDay(${days})`,
    );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function withoutComments(sql: string): string {
  return sql.replace(/--.*$/gm, '');
}
