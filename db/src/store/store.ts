import type { SecretKeyring } from '../secrets/keyring';

/** Values bound to `{name:Type}` placeholders; never concatenated into SQL. */
export type QueryParam = string | number | boolean | null | readonly QueryParam[];
export type QueryParams = Record<string, QueryParam>;

/** The binary result formats `queryBinary` answers in. */
export type BinaryFormat = 'RowBinary';

export interface InsertOptions {
  /** Same token ⇒ the insert is applied once (within the table's deduplication window). */
  deduplicationToken?: string;
  /**
   * For `insertJsonLines`: each line is a JSON array of these columns' values, in this order
   * (JSONCompactEachRow), rather than an object keyed by column (JSONEachRow).
   */
  columns?: readonly string[];
  /**
   * With `columns`: a line may stop before the last columns, which then take their defaults
   * (input_format_json_compact_allow_variable_number_of_columns). For columns most rows leave
   * empty (a prediction's embeddings and texts): rows without them stay as short as before, and
   * rows written before the columns existed still insert.
   */
  trailingColumnsOptional?: boolean;
}

/**
 * The one storage interface. Two backends speak the same ClickHouse SQL: chDB in-process
 * (embedded) and a ClickHouse server over HTTP (distributed).
 */
export interface Store {
  readonly backend: 'chdb' | 'clickhouse';
  /** Runs a SELECT-like statement and returns its rows (JSONEachRow, 64-bit integers as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /**
   * Like `query`, under the engine's `readonly = 1` setting, given as a setting of the connection
   * or request, never as text in the statement: the engine refuses writes, changes of settings
   * (`readonly` itself included) and table functions that reach files, URLs or other servers.
   */
  queryReadOnly<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /**
   * Runs a SELECT-like statement and returns its result in a binary format (`RowBinary`): the
   * bytes as the engine wrote them, for a reader that decodes them straight into typed arrays.
   */
  queryBinary(sql: string, params: QueryParams, format: BinaryFormat): Promise<Uint8Array>;
  /** Runs a statement without a result (DDL, ALTER, INSERT … SELECT). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Inserts rows (objects keyed by column) into a table in one insert. */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /** Inserts rows already serialised as JSON lines: objects, or arrays with `options.columns`. */
  insertJsonLines(table: string, lines: Buffer, options?: InsertOptions): Promise<void>;
  /**
   * Inserts rows already serialised as RowBinary into `columns` (name and ClickHouse type, in the
   * order of each row's values), in one insert.
   */
  insertRowBinary(
    table: string,
    columns: readonly (readonly [name: string, type: string])[],
    bytes: Uint8Array,
  ): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Seals and opens secrets kept in tables (channel signing secrets); set by the process at start. */
  secrets?: SecretKeyring;
}

/**
 * Errors ClickHouse raises for the data of an insert rather than for the server's state: retrying
 * the same bytes can never succeed, so a caller should isolate or reject them instead of waiting.
 */
const BAD_DATA =
  /^(CANNOT_PARSE_\w+|CANNOT_READ_\w+|INCORRECT_DATA|INCORRECT_JSON|TYPE_MISMATCH|CANNOT_CONVERT_TYPE|ATTEMPT_TO_READ_AFTER_EOF|TOO_LARGE_STRING_SIZE|VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE|ILLEGAL_COLUMN|CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN|DUPLICATE_COLUMN|INCORRECT_NUMBER_OF_COLUMNS)$/;

export class StoreError extends Error {
  /** ClickHouse's error code (e.g. 41) and name (e.g. CANNOT_PARSE_DATETIME), when it gave them. */
  readonly code?: number;
  readonly type?: string;

  constructor(
    message: string,
    details: { code?: number; type?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StoreError';
    this.code = details.code ?? numberOrUndefined(/Code: (\d+)\./.exec(message)?.[1]);
    this.type =
      details.type ?? /\(([A-Z][A-Z0-9_]+)\)\s*(\(version [^)]*\))?\s*$/.exec(message)?.[1];
  }

  /** The insert's data was refused (see BAD_DATA); false for outages, timeouts and the like. */
  get isBadData(): boolean {
    return this.type !== undefined && BAD_DATA.test(this.type);
  }
}

function numberOrUndefined(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

export function toJsonLines(rows: readonly object[]): Buffer {
  return Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
}

export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) if (line.length > 0) rows.push(JSON.parse(line) as T);
  return rows;
}

/** A table or column name as a ClickHouse identifier (DDL and insert targets take no parameters). */
export function quoteIdentifier(name: string): string {
  return '`' + name.replaceAll('\\', '\\\\').replaceAll('`', '\\`') + '`';
}
