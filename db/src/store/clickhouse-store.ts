import {
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { buffer, text } from 'node:stream/consumers';
import {
  StoreError,
  parseJsonLines,
  quoteIdentifier,
  type BinaryFormat,
  type InsertOptions,
  type QueryParams,
  type Store,
} from './store';
import { CLUSTER_SETTINGS } from './cluster-settings';

export interface ClickHouseConfig {
  url?: string;
  /** A custom @clickhouse/client connection (tests run this backend on chDB's in-process one). */
  connection?: ClickHouseClientConfigOptions['connection'];
  username?: string;
  password?: string;
  database?: string;
  /** Tables are Distributed over a cluster (OSPREY_CLICKHOUSE_CLUSTER): ./cluster-settings.ts. */
  cluster?: boolean;
  /** PEM of the CA(s) that signed the server's certificate, for an https:// URL. */
  caCert?: Buffer;
}

/** A ClickHouse server or cluster over HTTP, for the distributed deployment. */
export class ClickHouseStore implements Store {
  readonly backend = 'clickhouse' as const;
  private readonly client: ClickHouseClient;

  constructor(config: ClickHouseConfig) {
    this.client = createClient({
      url: config.url,
      connection: config.connection,
      username: config.username,
      password: config.password,
      database: config.database,
      ...(config.caCert ? { tls: { ca_cert: config.caCert } } : {}),
      compression: { request: true, response: true },
      clickhouse_settings: {
        date_time_input_format: 'best_effort',
        ...(config.cluster ? CLUSTER_SETTINGS : {}),
      },
    });
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    return this.run(async () => {
      const result = await this.client.query({
        query: sql,
        query_params: params,
        format: 'JSONEachRow',
      });
      return result.json<T>();
    });
  }

  async queryReadOnly<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    return this.run(async () => {
      // exec, not query: query appends `FORMAT …` to the text, which an EXPLAIN would hand to the
      // statement it explains. The format goes as a setting, like readonly.
      const { stream } = await this.client.exec({
        query: sql,
        query_params: params,
        clickhouse_settings: { readonly: '1', default_format: 'JSONEachRow' },
      });
      return parseJsonLines<T>(await text(stream));
    });
  }

  async queryBinary(sql: string, params: QueryParams, format: BinaryFormat): Promise<Uint8Array> {
    return this.run(async () => {
      // The client's format names stop at its own parsers: the format goes in the text.
      const { stream } = await this.client.exec({
        query: `${sql}\nFORMAT ${format}`,
        query_params: params,
      });
      return new Uint8Array(await buffer(stream));
    });
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.run(() => this.client.command({ query: sql, query_params: params }));
  }

  async insert(table: string, rows: readonly object[], options: InsertOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    await this.run(() =>
      this.client.insert({
        table,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: insertSettings(options),
      }),
    );
  }

  async insertJsonLines(table: string, lines: Buffer, options: InsertOptions = {}): Promise<void> {
    if (lines.length === 0) return;
    await this.run(async () => {
      const { stream } = await this.client.exec({
        query: options.columns
          ? `INSERT INTO ${quoteIdentifier(table)} (${options.columns.map(quoteIdentifier).join(', ')}) FORMAT JSONCompactEachRow`
          : `INSERT INTO ${quoteIdentifier(table)} FORMAT JSONEachRow`,
        values: Readable.from([lines]),
        clickhouse_settings: insertSettings(options),
      });
      stream.resume();
      await finished(stream);
    });
  }

  async insertRowBinary(
    table: string,
    columns: readonly (readonly [name: string, type: string])[],
    bytes: Uint8Array,
  ): Promise<void> {
    if (bytes.length === 0) return;
    await this.run(async () => {
      const { stream } = await this.client.exec({
        query: `INSERT INTO ${quoteIdentifier(table)} (${columns.map(([name]) => quoteIdentifier(name)).join(', ')}) FORMAT RowBinary`,
        values: Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
      });
      stream.resume();
      await finished(stream);
    });
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()).success;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async run<R>(op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (err) {
      const e = err as { message?: string; code?: string; type?: string };
      throw new StoreError(
        e.message ?? String(err),
        { code: e.code ? Number(e.code) : undefined, type: e.type },
        { cause: err },
      );
    }
  }
}

function insertSettings(options: InsertOptions): ClickHouseSettings {
  const settings: ClickHouseSettings = {};
  if (options.deduplicationToken) {
    settings.insert_deduplication_token = options.deduplicationToken;
    // A landing table's materialized view inserts under the same token (db/migrations/0030).
    settings.deduplicate_blocks_in_dependent_materialized_views = 1;
  }
  if (options.trailingColumnsOptional)
    settings.input_format_json_compact_allow_variable_number_of_columns = 1;
  return settings;
}

/** Table names come from our own constants; quoting keeps them inert all the same. */
export { quoteIdentifier };
