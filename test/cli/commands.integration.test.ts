import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { post } from '../support/http';
import { OSPREY_BIN, ospreyCommand } from '../support/osprey-cli';
import { REPO_ROOT, startOsprey } from '../support/osprey-process';

const run = promisify(execFile);
const osprey = (dataDir: string, ...args: string[]) => ospreyCommand(dataDir, args);

async function failure(promise: Promise<unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; stderr: string };
  }
  throw new Error('the command succeeded but was expected to fail');
}

describe('the osprey command', () => {
  it('migrates, creates a key that a later `osprey start` accepts, and answers read-only SQL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-cli-'));
    const migrated = await osprey(dataDir, 'migrate');
    expect(migrated.stdout).toContain('0001_predictions');
    expect(migrated.stdout).toMatch(/schema is current \(\d+ migrations, chdb\)/);

    const created = await osprey(
      dataDir,
      'keys',
      'create',
      '--name',
      'svc',
      '--scopes',
      'ingest,read',
    );
    const key = created.stdout.trim();
    expect(key).toMatch(/^osp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("created API key 'svc'");

    const server = await startOsprey({ dataDir, apiKey: 'osp_cli_test_admin_key_00001' });
    try {
      const res = await post(
        `${server.url}/v1/predictions`,
        JSON.stringify({
          model: 'cli',
          version: '1',
          features: { a: 1 },
          prediction: 2,
          latency_ms: 3,
        }),
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      );
      expect(res).toMatchObject({ status: 200, json: { accepted: 1 } });
    } finally {
      await server.stop();
    }

    const sql = await osprey(
      dataDir,
      'sql',
      "SELECT model, version, prediction_num FROM predictions WHERE model = 'cli'",
    );
    expect(sql.stdout).toBe('model\tversion\tprediction_num\ncli\t1\t2\n');
    const audit = await osprey(
      dataDir,
      'sql',
      "SELECT action FROM audit_log WHERE action = 'api_key.create'",
    );
    expect(audit.stdout).toBe('action\napi_key.create\n');
  });

  it('refuses writes in `osprey sql` and bad arguments in `keys create`, naming the problem', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-cli-'));
    const drop = await failure(osprey(dataDir, 'sql', 'DROP TABLE predictions'));
    expect(drop.code).toBe(1);
    expect(drop.stderr).toContain(
      'only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed',
    );
    const scopes = await failure(
      osprey(dataDir, 'keys', 'create', '--name', 'x', '--scopes', 'ingest,write'),
    );
    expect(scopes.stderr).toContain('must be one of ingest, read, admin');
    const unknown = await failure(osprey(dataDir, 'frobnicate'));
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('fails at start naming a bad environment variable', async () => {
    const bad = await failure(
      run(process.execPath, [OSPREY_BIN, 'start'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          OSPREY_RETENTION_DAYS: 'ninety',
          OSPREY_DATA_DIR: mkdtempSync(join(tmpdir(), 'osprey-cli-')),
        },
      }),
    );
    expect(bad.stderr).toContain('OSPREY_RETENTION_DAYS: must be a whole number of days');
  });
});
