import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import {
  StoreError,
  parseJsonLines,
  quoteIdentifier,
  toJsonLines,
  type BinaryFormat,
  type InsertOptions,
  type QueryParams,
  type Store,
} from './store';

/** ClickHouse in-process. libchdb binds one data directory per process: open one per process. */
export class ChdbStore implements Store {
  readonly backend = 'chdb' as const;
  private readonly session: Session;
  /** A second connection to the same directory, opened with readonly=1 when first needed. */
  private readOnlySession?: Session;
  private closed = false;
  /** Where insertRowBinary puts its rows for the engine to read (made on first use). */
  private spoolDir?: string;
  private spooled = 0;

  /** `connectionArgs`: the engine's command-line options (test/deploy's one-node cluster). */
  constructor(
    readonly dataDir: string,
    private readonly options: { connectionArgs?: readonly string[] } = {},
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.session = new Session(dataDir, { connectionArgs: this.connectionArgs() });
  }

  private connectionArgs(...more: string[]): string[] {
    return [...(this.options.connectionArgs ?? []), ...more];
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const result = await this.run(() =>
      this.session.queryBindAsync(sql, params, { format: 'JSONEachRow' }),
    );
    return parseJsonLines<T>(result.text());
  }

  async queryReadOnly<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    // chDB takes no settings per query; a connection opened with the setting keeps it for good.
    this.readOnlySession ??= new Session(this.dataDir, {
      connectionArgs: this.connectionArgs('--readonly=1'),
    });
    const session = this.readOnlySession;
    const result = await this.run(() =>
      session.queryBindAsync(sql, params, { format: 'JSONEachRow' }),
    );
    return parseJsonLines<T>(result.text());
  }

  async queryBinary(sql: string, params: QueryParams, format: BinaryFormat): Promise<Uint8Array> {
    const result = await this.run(() => this.session.queryBindAsync(sql, params, { format }));
    return result.bytes();
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.run(() => this.session.queryBindAsync(sql, params, { format: 'TSV' }));
  }

  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void> {
    return this.insertJsonLines(table, toJsonLines(rows), options);
  }

  async insertJsonLines(table: string, lines: Buffer, options: InsertOptions = {}): Promise<void> {
    if (lines.length === 0) return;
    const settings: Record<string, string> = {};
    if (options.deduplicationToken) {
      settings.insert_deduplication_token = options.deduplicationToken;
      // A landing table's materialized view inserts under the same token (db/migrations/0030).
      settings.deduplicate_blocks_in_dependent_materialized_views = '1';
    }
    if (options.trailingColumnsOptional)
      settings.input_format_json_compact_allow_variable_number_of_columns = '1';
    await this.run(() =>
      this.session.insert({
        table,
        values: lines,
        ...(options.columns
          ? { format: 'JSONCompactEachRow', columns: [...options.columns] }
          : { format: 'JSONEachRow' }),
        settings,
      }),
    );
  }

  async insertRowBinary(
    table: string,
    columns: readonly (readonly [name: string, type: string])[],
    bytes: Uint8Array,
  ): Promise<void> {
    if (bytes.length === 0) return;
    // chDB's insert takes text formats only, and a bound string costs ~5 ms a MB to pass; the
    // engine reads a file of binary rows at disk speed (file() with a path of ours, deleted after).
    this.spoolDir ??= mkdtempSync(join(tmpdir(), 'osprey-chdb-rows-'));
    const path = join(this.spoolDir, `${process.pid}-${++this.spooled}.bin`);
    await writeFile(path, bytes);
    try {
      await this.command(
        `INSERT INTO ${quoteIdentifier(table)} (${columns.map(([name]) => quoteIdentifier(name)).join(', ')})
         SELECT * FROM file({path:String}, RowBinary, {structure:String})`,
        {
          path,
          structure: columns.map(([name, type]) => `${quoteIdentifier(name)} ${type}`).join(', '),
        },
      );
    } finally {
      await rm(path, { force: true });
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.session.queryAsync('SELECT 1', { format: 'TSV' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readOnlySession?.close();
    this.session.close();
    if (this.spoolDir) rmSync(this.spoolDir, { recursive: true, force: true });
  }

  private async run<R>(op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (err) {
      throw new StoreError((err as Error).message ?? String(err), {}, { cause: err });
    }
  }
}
