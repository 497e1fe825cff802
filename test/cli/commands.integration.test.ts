import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { post } from '../support/http';
import { pastHour } from '../support/fixtures';
import { OSPREY_BIN, ospreyCommand, sqlRows } from '../support/osprey-cli';
import { REPO_ROOT, startOsprey } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

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

  it('`osprey detect` runs the detectors on a range and evaluates the alert rules', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-cli-'));
    const window = pastHour(2);
    const server = await startOsprey({ dataDir, env: { OSPREY_DETECTORS: 'off' } });
    try {
      const events = Array.from({ length: 40 }, (_, i) => ({
        model: 'cli-detect',
        version: '1',
        timestamp: window.from + (i + 1) * 60_000,
        features: { a: i },
        prediction: i,
        latency_ms: 10 + i,
        ...(i % 4 === 0 && { error: 'timeout' }),
      }));
      await postAll(server.url, server.apiKey, '/v1/predictions', events);
      const rule = await api(server.url, server.apiKey, 'POST', '/api/v1/alert-rules', {
        name: 'errors over 10%',
        model: 'cli-detect',
        metric: 'error_rate',
        op: '>',
        threshold: 0.1,
      });
      expect(rule.status).toBe(201);
    } finally {
      await server.stop();
    }
    const { stdout } = await osprey(
      dataDir,
      'detect',
      '--model',
      'cli-detect',
      '--from',
      new Date(window.from).toISOString(),
      '--to',
      new Date(window.to).toISOString(),
    );
    // The range is one of the model's hourly windows: one detection under `windows`.
    const detection = JSON.parse(stdout) as {
      window_minutes: number;
      windows: { window: { from: string; to: string }; errors: { error_rate: number } }[];
      alerts: { rule: string; to: string; value: number }[];
    };
    expect(detection.window_minutes).toBe(60);
    expect(detection.windows.map((w) => w.window)).toEqual([
      { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    ]);
    expect(detection.windows[0]!.errors.error_rate).toBeCloseTo(0.25, 12);
    expect(detection.alerts).toEqual([expect.objectContaining({ to: 'firing', value: 0.25 })]);
    const events = await sqlRows(
      dataDir,
      "SELECT event FROM alert_events WHERE model = 'cli-detect' ORDER BY timestamp",
    );
    expect(events.map(([state]) => state)).toEqual(['firing']);
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
