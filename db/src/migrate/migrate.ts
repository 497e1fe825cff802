import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store';
import { RETAINED_TABLES, Tables } from '../tables';

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

/**
 * Applies the migrations not yet recorded in schema_migrations, in order. Each statement is
 * idempotent (IF NOT EXISTS), so a crash between applying and recording is repaired by a rerun.
 */
export async function migrate(
  store: Store,
  opts: { retentionDays: number; migrations?: Migration[] },
): Promise<MigrateResult> {
  await store.command(`
    CREATE TABLE IF NOT EXISTS ${Tables.schemaMigrations}
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = ReplacingMergeTree ORDER BY version`);
  const recorded = await store.query<{ version: number; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ${Tables.schemaMigrations} FINAL`,
  );
  const done = new Map(recorded.map((r) => [Number(r.version), r]));
  const applied: string[] = [];
  for (const m of opts.migrations ?? loadMigrations()) {
    const previous = done.get(m.version);
    if (previous) {
      if (previous.checksum !== m.checksum) {
        throw new Error(
          `migration ${m.version}_${m.name} changed after it was applied; add a new migration instead`,
        );
      }
      continue;
    }
    await store.command(m.sql);
    await store.insert(Tables.schemaMigrations, [
      { version: m.version, name: m.name, checksum: m.checksum },
    ]);
    applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  await applyRetention(store, opts.retentionDays);
  return { applied, retentionDays: opts.retentionDays };
}

/** Sets the TTL of the retained tables, only when it differs (a change rewrites TTL info). */
async function applyRetention(store: Store, days: number): Promise<void> {
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`retention must be a whole number of days, got ${days}`);
  const tables = await store.query<{ name: string; create_table_query: string }>(
    `SELECT name, create_table_query FROM system.tables
     WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
    { names: [...RETAINED_TABLES] },
  );
  for (const { name, create_table_query } of tables) {
    const current = /toIntervalDay\((\d+)\)/.exec(create_table_query)?.[1];
    if (Number(current) === days) continue;
    // DDL takes no bound parameters; `days` is a validated integer, never outside text.
    await store.command(
      `ALTER TABLE ${name} MODIFY TTL toDateTime(timestamp) + toIntervalDay(${days})`,
    );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function withoutComments(sql: string): string {
  return sql.replace(/--.*$/gm, '');
}
