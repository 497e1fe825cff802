/**
 * TEST-ONLY: a stand-in for a ClickHouse server's HTTP interface, over chDB, so that several
 * `osprey` processes can share one store in tests (libchdb binds one data directory per process,
 * and no ClickHouse server runs on these machines). It is never a product role.
 *
 * It serves the subset of the HTTP interface that @clickhouse/client (db/src/store/
 * clickhouse-store.ts) uses: the query in the `query` URL parameter and/or the body, `param_*`
 * bound parameters (set as `SET param_x = '…'`, exactly the text the server would bind),
 * `database`, settings as URL parameters, `query_id`, gzip request and response bodies,
 * `INSERT … FORMAT` with the data in the body, GET /ping, Basic auth, and errors as status 500 with
 * `X-ClickHouse-Exception-Code` and ClickHouse's own message. It serves HTTPS when given a
 * certificate, so the product's CLICKHOUSE_CA_FILE is tested against a real TLS server.
 *
 * Differences from a server: settings other than an insert's are kept by the engine after the
 * query (chDB holds them for every connection); an insert's own settings (deduplication token)
 * are scoped to it. Each request runs on a connection of its own from a small pool, so bound
 * parameters never leak between concurrent requests.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Session } from 'chdb';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

export interface StandinOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** When set, requests must authenticate as this user (Basic or X-ClickHouse-User/Key). */
  auth?: { user: string; password: string };
  /** Connections to the data directory (each serves one request at a time). */
  connections?: number;
}

export interface Standin {
  url: string;
  close(): Promise<void>;
}

/** Settings of the HTTP layer, not of the engine: consumed here or meaningless in-process. */
const HTTP_SETTINGS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'enable_http_compression',
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_zlib_compression_level',
  'session_id',
  'session_timeout',
  'role',
  'user',
  'password',
]);
const INSERT_FORMATS = new Set([
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'TSV',
  'TabSeparated',
  'RowBinary',
]);

/**
 * RowBinary, which chDB's insert does not take: the body goes to a file the engine reads with the
 * table's own column types, as a server parses the body it receives.
 */
async function insertRowBinary(
  session: Session,
  table: string,
  columns: string[] | undefined,
  body: Buffer,
): Promise<{ rowsWritten: number }> {
  const types = (
    await session.queryBindAsync(
      `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String}
         AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position`,
      { t: table },
      { format: 'JSONEachRow' },
    )
  )
    .text()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { name: string; type: string });
  const named = columns ?? types.map((t) => t.name);
  const structure = named
    .map((c) => `${quoteIdentifier(c)} ${types.find((t) => t.name === c)?.type ?? 'String'}`)
    .join(', ');
  const dir = await mkdtemp(join(tmpdir(), 'standin-rows-'));
  try {
    const path = join(dir, 'rows.bin');
    await writeFile(path, body);
    const out = await session.queryBindAsync(
      `INSERT INTO ${quoteIdentifier(table)} (${named.map(quoteIdentifier).join(', ')})
       SELECT * FROM file({path:String}, RowBinary, {structure:String})`,
      { path, structure },
      { format: 'TSV' },
    );
    return { rowsWritten: out.rowsRead };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const INSERT_RE =
  /^\s*INSERT\s+INTO\s+(`(?:[^`\\]|\\.)+`|[A-Za-z_][\w.]*)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/i;

/** Where a server's defaults differ from chDB's: a server quotes 64-bit integers in JSON. */
const SERVER = ['--output_format_json_quote_64bit_integers=1'];

/** A fixed set of connections; a request takes one for itself and gives it back. */
class Pool {
  private readonly idle: Session[];
  private readonly waiting: ((s: Session) => void)[] = [];
  constructor(readonly all: Session[]) {
    this.idle = [...all];
  }
  async use<R>(fn: (s: Session) => Promise<R>): Promise<R> {
    const session =
      this.idle.pop() ?? (await new Promise<Session>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(session);
    } finally {
      const next = this.waiting.shift();
      if (next) next(session);
      else this.idle.push(session);
    }
  }
}

class ClickHouseError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly status = 500,
  ) {
    super(message);
  }
}

export async function startClickHouseStandin(options: StandinOptions): Promise<Standin> {
  mkdirSync(options.dataDir, { recursive: true });
  const size = options.connections ?? 4;
  const writers = new Pool(
    Array.from({ length: size }, () => new Session(options.dataDir, { connectionArgs: SERVER })),
  );
  // readonly=1 cannot be set on a connection and taken back: read-only requests get their own.
  const readers = new Pool(
    Array.from(
      { length: 2 },
      () => new Session(options.dataDir, { connectionArgs: [...SERVER, '--readonly=1'] }),
    ),
  );
  /** The values this stand-in has SET on the engine (shared by every connection). */
  const engineSettings = new Map<string, string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (url.pathname === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') throw new ClickHouseError(`Unknown handler ${url.pathname}`, 0, 404);
    authenticate(req, url, options.auth);
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    const body = await readBody(req);
    const urlQuery = url.searchParams.get('query');
    const params: [string, string][] = [];
    const settings: Record<string, string> = {};
    for (const [key, value] of url.searchParams) {
      if (key.startsWith('param_')) params.push([key.slice('param_'.length), value]);
      else if (!HTTP_SETTINGS.has(key)) settings[key] = value;
    }
    const database = url.searchParams.get('database') ?? 'default';
    const format = url.searchParams.get('default_format') ?? 'TabSeparated';
    const started = process.hrtime.bigint();

    const insert = urlQuery !== null ? INSERT_RE.exec(urlQuery) : null;
    let result: Buffer;
    let rows = 0;
    if (insert && body.length > 0 && INSERT_FORMATS.has(insert[3]!) && params.length === 0) {
      // The data stays bytes, handed to the engine's parser with the insert's own settings.
      const table = insert[1]!.startsWith('`')
        ? insert[1]!.slice(1, -1).replaceAll('\\`', '`').replaceAll('\\\\', '\\')
        : insert[1]!;
      const columns = insert[2]
        ?.split(',')
        .map((c) => c.trim().replace(/^`(.*)`$/, '$1'))
        .filter((c) => c.length > 0);
      const summary = await writers.use(async (session) => {
        await session.queryAsync(`USE ${quoteIdentifier(database)}`);
        if (insert[3] === 'RowBinary') return insertRowBinary(session, table, columns, body);
        return session.insert({
          table,
          values: body,
          format: insert[3] as 'JSONEachRow',
          ...(columns ? { columns } : {}),
          settings,
        });
      });
      rows = summary.rowsWritten;
      result = Buffer.alloc(0);
    } else {
      const sql =
        urlQuery !== null && body.length > 0
          ? `${urlQuery}\n${body.toString('utf8')}`
          : (urlQuery ?? body.toString('utf8'));
      if (sql.trim().length === 0) throw new ClickHouseError('Empty query', 62, 400);
      const readonly = settings.readonly !== undefined && settings.readonly !== '0';
      delete settings.readonly;
      const changes = Object.entries(settings).filter(([k, v]) => engineSettings.get(k) !== v);
      if (readonly && changes.length > 0) {
        throw new ClickHouseError(
          `Code: 164. DB::Exception: Cannot modify '${changes[0]![0]}' setting in readonly mode. (READONLY)`,
          164,
        );
      }
      const prelude = [
        `USE ${quoteIdentifier(database)}`,
        ...changes.map(([k, v]) => `SET ${settingName(k)} = ${quoteString(v)}`),
        ...params.map(([k, v]) => `SET param_${settingName(k)} = ${quoteString(v)}`),
      ];
      const out = await (readonly ? readers : writers).use((session) =>
        session.queryAsync(`${prelude.join('; ')}; ${sql}`, { format }),
      );
      for (const [k, v] of changes) engineSettings.set(k, v);
      rows = out.rowsRead;
      result = Buffer.from(out.bytes());
    }

    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': format,
      'X-ClickHouse-Summary': JSON.stringify({
        read_rows: String(rows),
        written_rows: insert ? String(rows) : '0',
        elapsed_ns: String(process.hrtime.bigint() - started),
      }),
    };
    const compress =
      url.searchParams.get('enable_http_compression') === '1' &&
      /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (compress) {
      result = await gzipAsync(result);
      headers['Content-Encoding'] = 'gzip';
    }
    res.writeHead(200, headers).end(result);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      const e =
        err instanceof ClickHouseError
          ? err
          : new ClickHouseError(errorMessage(err), errorCode(err));
      if (res.headersSent) return res.destroy();
      res
        .writeHead(e.status, {
          'Content-Type': 'text/plain; charset=UTF-8',
          'X-ClickHouse-Exception-Code': String(e.code),
        })
        .end(`${e.message}\n`);
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.tls ? 'localhost' : host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of [...writers.all, ...readers.all]) s.close();
    },
  };
}

function authenticate(req: IncomingMessage, url: URL, auth: StandinOptions['auth']): void {
  if (!auth) return;
  let user = req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default';
  let password = req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? '';
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (user !== auth.user || password !== auth.password) {
    throw new ClickHouseError(
      `Code: 516. DB::Exception: ${String(user)}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
      516,
      401,
    );
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined || encoding === 'identity') return raw;
  if (encoding === 'gzip') return gunzipAsync(raw);
  throw new ClickHouseError(`Unknown Content-Encoding ${encoding}`, 0, 400);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorCode(err: unknown): number {
  return Number(/^Code: (\d+)\./.exec(errorMessage(err))?.[1] ?? 1000);
}

function settingName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ClickHouseError(
      `Code: 115. DB::Exception: Unknown setting ${name}. (UNKNOWN_SETTING)`,
      115,
      400,
    );
  }
  return name;
}

function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function quoteIdentifier(name: string): string {
  return '`' + name.replaceAll('\\', '\\\\').replaceAll('`', '\\`') + '`';
}
