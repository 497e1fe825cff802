/** Values bound to `{name:Type}` placeholders; never concatenated into SQL. */
export type QueryParams = Record<
  string,
  string | number | boolean | null | readonly (string | number)[]
>;

export interface InsertOptions {
  /** Same token ⇒ the insert is applied once (within the table's deduplication window). */
  deduplicationToken?: string;
}

/**
 * The one storage interface. Two backends speak the same ClickHouse SQL: chDB in-process
 * (embedded) and a ClickHouse server over HTTP (distributed).
 */
export interface Store {
  readonly backend: 'chdb' | 'clickhouse';
  /** Runs a SELECT-like statement and returns its rows (JSONEachRow, 64-bit integers as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Runs a statement without a result (DDL, ALTER, INSERT … SELECT). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Inserts rows (objects keyed by column) into a table in one insert. */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /** Inserts rows already serialised as JSONEachRow (one object per line). */
  insertJsonLines(table: string, lines: Buffer, options?: InsertOptions): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export function toJsonLines(rows: readonly object[]): Buffer {
  return Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
}

export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) if (line.length > 0) rows.push(JSON.parse(line) as T);
  return rows;
}
