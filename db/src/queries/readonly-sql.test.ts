import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileState } from '../../../test/support/file-state';
import { migrate } from '../migrate/migrate';
import type { Store } from '../store/store';
import { storeBackends } from '../store/test-backends';
import { runReadOnlySql } from './readonly-sql';

const backends = storeBackends('read-only SQL suite');

/** An HTTP server that counts the requests a `url()` table function would make. */
let secrets: Server;
let secretsUrl: string;
let secretRequests = 0;
beforeAll(async () => {
  secrets = createServer((_req, res) => {
    secretRequests += 1;
    res.end('secret\n');
  });
  await new Promise<void>((done) => secrets.listen(0, '127.0.0.1', done));
  secretsUrl = `http://127.0.0.1:${(secrets.address() as AddressInfo).port}/secret`;
});
afterAll(() => new Promise<void>((done) => secrets.close(() => done())));

describe.each(backends)('read-only SQL on $name', ({ open }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'osprey-readonly-sql-'));
  // Writes happen on their own connection: @clickhouse/client on chdb/connection turns settings
  // into SET statements on its one session, so once it has run a read-only query it stays so.
  let reader: Store;
  const auditRows = async () =>
    Number((await reader.queryReadOnly<{ n: string }>('SELECT count() AS n FROM audit_log'))[0]!.n);
  let auditBefore: number;

  beforeAll(async () => {
    const writer = await open(dataDir);
    await migrate(writer, { retentionDays: 30 });
    await writer.insert('audit_log', [
      { actor: 'test', action: 'seed', target: 't', details: '{}', timestamp: Date.now() },
    ]);
    await writer.close();
    reader = await open(dataDir);
    auditBefore = await auditRows();
  });
  afterAll(async () => {
    await reader.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the attacks of issue #13 row 4', () => {
    it("answers `SELECT getSetting('readonly') --` with 1: a comment cannot drop the setting", async () => {
      expect(await runReadOnlySql(reader, "SELECT getSetting('readonly') --")).toBe(
        "getSetting('readonly')\n1\n",
      );
    });

    it('refuses `WITH 1 AS x INSERT INTO audit_log … --` and writes nothing', async () => {
      await expect(
        runReadOnlySql(
          reader,
          "WITH 1 AS x INSERT INTO audit_log (actor, action) SELECT 'attacker', 'x' --",
        ),
      ).rejects.toThrow(
        'only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed, not INSERT',
      );
      expect(await auditRows()).toBe(auditBefore);
    });

    it("refuses `SELECT 1 INTO OUTFILE '/tmp/x'` and writes no file", async () => {
      // /tmp is shared: compare with what was there before rather than expect nothing.
      const before = fileState('/tmp/x');
      await expect(runReadOnlySql(reader, "SELECT 1 INTO OUTFILE '/tmp/x'")).rejects.toThrow(
        'INTO OUTFILE is not allowed: osprey sql writes no files (redirect its output instead)',
      );
      expect(fileState('/tmp/x')).toEqual(before);
      const fresh = join(dataDir, 'outfile');
      await expect(
        runReadOnlySql(reader, `SELECT 1 INTO OUTFILE '${fresh}' TRUNCATE`),
      ).rejects.toThrow('INTO OUTFILE is not allowed');
      expect(existsSync(fresh)).toBe(false);
    });

    it("refuses `SELECT * FROM file('/etc/passwd','LineAsString')` and reads nothing", async () => {
      const refused = await runReadOnlySql(
        reader,
        "SELECT * FROM file('/etc/passwd','LineAsString')",
      ).catch((err: Error) => err);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toBe(
        "table function file() is not allowed: osprey sql reads osprey's tables, not files, URLs or other servers",
      );
    });

    it('refuses `url(…)` and fetches nothing', async () => {
      await expect(
        runReadOnlySql(reader, `SELECT * FROM url('${secretsUrl}','LineAsString')`),
      ).rejects.toThrow("table function url() is not allowed: osprey sql reads osprey's tables");
      expect(secretRequests).toBe(0);
    });
  });

  describe('what the readonly setting leaves open in chDB, and other statements', () => {
    it('refuses the file() function, which reads any path in chDB', async () => {
      await expect(runReadOnlySql(reader, "SELECT file('/etc/passwd') AS f")).rejects.toThrow(
        'function file() is not allowed: it reads files on the machine that runs osprey',
      );
    });

    it('refuses a second statement, an empty one, FORMAT and statements that are not reads', async () => {
      await expect(runReadOnlySql(reader, 'SELECT 1; DROP TABLE labels')).rejects.toThrow(
        "only one statement is allowed: remove what follows the first ';'",
      );
      await expect(runReadOnlySql(reader, '  -- nothing')).rejects.toThrow(
        'the statement is empty',
      );
      await expect(runReadOnlySql(reader, 'SELECT 1 FORMAT CSV')).rejects.toThrow(
        'FORMAT is not allowed: osprey sql prints tab-separated values with a header',
      );
      await expect(
        runReadOnlySql(reader, "INSERT INTO audit_log (actor) VALUES ('x')"),
      ).rejects.toThrow(
        'only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed, not INSERT',
      );
      await expect(runReadOnlySql(reader, 'DROP TABLE labels')).rejects.toThrow(
        'only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed, not DROP',
      );
      await expect(runReadOnlySql(reader, 'SELECT 1 SETTINGS readonly = 0')).rejects.toThrow(
        "refused, osprey sql is read-only: Cannot modify 'readonly' setting in readonly mode",
      );
      expect(await auditRows()).toBe(auditBefore);
      const tables = await runReadOnlySql(reader, 'EXISTS TABLE labels');
      expect(tables).toBe('result\n1\n');
    });

    it('answers SELECT, WITH … SELECT, SHOW, DESCRIBE and EXPLAIN as TSV with a header', async () => {
      expect(await runReadOnlySql(reader, "SELECT 1 AS one, 'a\tb' AS s")).toBe(
        'one\ts\n1\ta\\tb\n',
      );
      expect(
        await runReadOnlySql(
          reader,
          "WITH 'seed' AS a SELECT actor FROM audit_log WHERE action = a",
        ),
      ).toBe('actor\ntest\n');
      expect(await runReadOnlySql(reader, 'SHOW TABLES')).toMatch(/^name\n(.+\n)*audit_log\n/);
      expect(await runReadOnlySql(reader, 'DESCRIBE audit_log')).toMatch(
        /^name\ttype\t.*\ntimestamp\tDateTime64\(3, 'UTC'\)\t/,
      );
      expect(await runReadOnlySql(reader, 'EXPLAIN SELECT count() FROM numbers(3)')).toMatch(
        /^explain\n/,
      );
      expect(await runReadOnlySql(reader, 'SELECT sum(number) AS s FROM numbers(4)')).toBe(
        's\n6\n',
      );
    });
  });

  describe('the engine itself, without the parser checks', () => {
    it('runs queryReadOnly under readonly = 1, given as a setting and not as text', async () => {
      const [row] = await reader.queryReadOnly<{ r: string }>(
        "SELECT getSetting('readonly') AS r --",
      );
      expect(Number(row!.r)).toBe(1);
    });

    it('refuses writes, setting changes and table functions that fetch data', async () => {
      const readonly = { name: 'StoreError', type: 'READONLY' };
      await expect(
        reader.queryReadOnly("WITH 1 AS x INSERT INTO audit_log (actor) SELECT 'x'"),
      ).rejects.toMatchObject(readonly);
      await expect(reader.queryReadOnly('SELECT 1 SETTINGS readonly = 0')).rejects.toMatchObject(
        readonly,
      );
      await expect(
        reader.queryReadOnly("SELECT * FROM file('/etc/passwd','LineAsString')"),
      ).rejects.toMatchObject(readonly);
      await expect(
        reader.queryReadOnly(`SELECT * FROM url('${secretsUrl}','LineAsString')`),
      ).rejects.toMatchObject(readonly);
      expect(secretRequests).toBe(0);
      expect(await auditRows()).toBe(auditBefore);
    });
  });
});
