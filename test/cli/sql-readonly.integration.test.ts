import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileState } from '../support/file-state';
import { ospreyCommand, sqlRows } from '../support/osprey-cli';

// Issue #13 row 4: each attack string, exactly, through the real `osprey sql` on a real chDB.
const dataDir = mkdtempSync(join(tmpdir(), 'osprey-sql-'));
const auditRows = async () =>
  Number((await sqlRows(dataDir, 'SELECT count() FROM audit_log'))[0]![0]);

/** `osprey sql` that must fail: its exit code, and stderr and stdout as printed. */
async function refused(
  statement: string,
): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    await ospreyCommand(dataDir, ['sql', statement]);
  } catch (err) {
    return err as { code: number; stderr: string; stdout: string };
  }
  throw new Error(`osprey sql ran ${JSON.stringify(statement)} but was expected to refuse it`);
}

let secrets: Server;
let secretRequests = 0;
let auditBefore: number;
beforeAll(async () => {
  secrets = createServer((_req, res) => {
    secretRequests += 1;
    res.end('secret\n');
  });
  await new Promise<void>((done) => secrets.listen(0, '127.0.0.1', done));
  await ospreyCommand(dataDir, ['migrate']);
  await ospreyCommand(dataDir, ['keys', 'create', '--name', 'seed', '--scopes', 'read']);
  auditBefore = await auditRows();
});
afterAll(() => new Promise<void>((done) => secrets.close(() => done())));

describe('`osprey sql` is read-only whatever the statement says', () => {
  it("answers `SELECT getSetting('readonly') --` with 1", async () => {
    const { stdout } = await ospreyCommand(dataDir, ['sql', "SELECT getSetting('readonly') --"]);
    expect(stdout).toBe("getSetting('readonly')\n1\n");
  });

  it('refuses `WITH 1 AS x INSERT INTO audit_log … --`, and audit_log is unchanged', async () => {
    expect(auditBefore).toBe(1);
    const res = await refused(
      "WITH 1 AS x INSERT INTO audit_log (actor, action) SELECT 'attacker', 'x' --",
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'osprey: only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed, not INSERT\n',
    );
    expect(await auditRows()).toBe(auditBefore);
  });

  it("refuses `SELECT 1 INTO OUTFILE '/tmp/x'`, and no file is written", async () => {
    const before = fileState('/tmp/x');
    const res = await refused("SELECT 1 INTO OUTFILE '/tmp/x'");
    expect(res.stderr).toBe(
      'osprey: INTO OUTFILE is not allowed: osprey sql writes no files (redirect its output instead)\n',
    );
    expect(fileState('/tmp/x')).toEqual(before);
    const fresh = join(dataDir, 'outfile');
    await refused(`SELECT 1 INTO OUTFILE '${fresh}'`);
    expect(existsSync(fresh)).toBe(false);
  });

  it("refuses `SELECT * FROM file('/etc/passwd','LineAsString')`, and nothing is read", async () => {
    const res = await refused("SELECT * FROM file('/etc/passwd','LineAsString')");
    expect(res.stderr).toBe(
      "osprey: table function file() is not allowed: osprey sql reads osprey's tables, not files, URLs or other servers\n",
    );
    expect(res.stdout).toBe('');
    const fn = await refused("SELECT file('/etc/passwd')");
    expect(fn.stderr).toBe(
      'osprey: function file() is not allowed: it reads files on the machine that runs osprey\n',
    );
    expect(fn.stdout).toBe('');
  });

  it('refuses `url(…)`, and nothing is fetched', async () => {
    const url = `http://127.0.0.1:${(secrets.address() as AddressInfo).port}/secret`;
    const res = await refused(`SELECT * FROM url('${url}','LineAsString')`);
    expect(res.stderr).toBe(
      "osprey: table function url() is not allowed: osprey sql reads osprey's tables, not files, URLs or other servers\n",
    );
    expect(secretRequests).toBe(0);
  });

  it('still answers SELECT, WITH … SELECT, SHOW TABLES, DESCRIBE and EXPLAIN', async () => {
    expect(
      (
        await ospreyCommand(dataDir, [
          'sql',
          "WITH 'seed' AS n SELECT name FROM api_keys WHERE name = n",
        ])
      ).stdout,
    ).toBe('name\nseed\n');
    expect((await ospreyCommand(dataDir, ['sql', 'SHOW TABLES'])).stdout).toContain(
      '\naudit_log\n',
    );
    expect((await ospreyCommand(dataDir, ['sql', 'DESCRIBE audit_log'])).stdout).toMatch(
      /^name\ttype\t/,
    );
    expect((await ospreyCommand(dataDir, ['sql', 'EXPLAIN SELECT 1'])).stdout).toMatch(
      /^explain\n/,
    );
  });
});
