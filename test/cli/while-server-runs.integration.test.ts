import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, post } from '../support/http';
import { pastHour } from '../support/fixtures';
import { ospreyCommand } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { postAll } from '../support/upload';

/**
 * libchdb binds a data directory to one process: while `osprey start` runs on it, one-shot
 * commands either go through the server's API (with the admin token of the server.json it writes
 * there) or say in one line what to do — never ClickHouse's lock error and its stack.
 */
async function failure(promise: Promise<unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; stderr: string };
  }
  throw new Error('the command succeeded but was expected to fail');
}

const ONE_LINE_HELD =
  /^osprey: the data directory .+ is held by the running Osprey server \(pid \d+, http:\/\/127\.0\.0\.1:\d+\): .+\n$/;

describe('one-shot commands while `osprey start` holds the data directory', () => {
  let dataDir: string;
  let server: OspreyProcess;
  const osprey = (...args: string[]) => ospreyCommand(dataDir, args);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'osprey-cli-held-'));
    server = await startOsprey({ dataDir, env: { OSPREY_DETECTORS: 'off' } });
  }, 90_000);
  afterAll(() => server?.stop());

  it('the server publishes server.json (its URL, pid and a token) readable by its owner only', () => {
    const file = join(dataDir, 'server.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const published = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(published).toEqual({
      url: server.url,
      pid: server.child.pid,
      token: expect.stringMatching(/^osp_local_[A-Za-z0-9_-]{43}$/),
    });
  });

  it('`keys create` creates the key through the API, and the key works at once', async () => {
    const created = await osprey('keys', 'create', '--name', 'svc', '--scopes', 'ingest,read');
    const key = created.stdout.trim();
    expect(key).toMatch(/^osp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(
      /^created API key 'svc' \(id [0-9a-f-]{36}, scopes ingest,read\)/,
    );
    expect(created.stderr).not.toMatch(/lock|Exception/i);

    const sent = await post(
      `${server.url}/v1/predictions`,
      JSON.stringify({ model: 'held', version: '1', features: { a: 1 }, prediction: 2 }),
      { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    );
    expect(sent).toMatchObject({ status: 200, json: { accepted: 1 } });
    const keys = await getJson<{ name: string; scopes: string[] }[]>(
      `${server.url}/api/v1/api-keys`,
      server.apiKey,
    );
    expect(keys).toContainEqual(
      expect.objectContaining({ name: 'svc', scopes: ['ingest', 'read'] }),
    );
  }, 60_000);

  it('`detect` runs on the server and prints its detection', async () => {
    const window = pastHour(2);
    const events = Array.from({ length: 20 }, (_, i) => ({
      model: 'held-detect',
      version: '1',
      timestamp: window.from + (i + 1) * 60_000,
      features: { a: i },
      prediction: i,
      latency_ms: 5,
      ...(i % 4 === 0 && { error: 'timeout' }),
    }));
    await postAll(server.url, server.apiKey, '/v1/predictions', events);
    const { stdout } = await osprey(
      'detect',
      '--model',
      'held-detect',
      '--from',
      new Date(window.from).toISOString(),
      '--to',
      new Date(window.to).toISOString(),
    );
    // The model's windows in the range: here the one hour.
    const detection = JSON.parse(stdout) as { windows: { errors: { error_rate: number } }[] };
    expect(detection.windows).toHaveLength(1);
    expect(detection.windows[0]!.errors.error_rate).toBeCloseTo(0.25, 12);
  }, 60_000);

  it('`sql` and `migrate`, which the API does not offer, say in one line what to do; `status` says why it cannot read', async () => {
    const sql = await failure(osprey('sql', 'SELECT 1'));
    expect(sql.code).toBe(1);
    expect(sql.stderr).toMatch(ONE_LINE_HELD);
    expect(sql.stderr).toContain(': stop it to query from here');
    const migrate = await failure(osprey('migrate'));
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(ONE_LINE_HELD);
    expect(migrate.stderr).toContain('it applied the migrations when it started');
    const status = await osprey('status');
    expect(status.stdout).toMatch(
      /^last insert: not read: the running Osprey server \(pid \d+, http:\/\/127\.0\.0\.1:\d+\) holds the data directory/m,
    );
    expect(status.stderr).toBe('');
  }, 90_000);

  it('accepts only the token it published, as a bearer key', async () => {
    const guessed = await fetch(`${server.url}/api/v1/api-keys`, {
      headers: { authorization: `Bearer osp_local_${'A'.repeat(43)}` },
    });
    expect(guessed.status).toBe(401);
    const { token } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as {
      token: string;
    };
    const real = await fetch(`${server.url}/api/v1/api-keys`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(real.status).toBe(200);
  });

  it('without server.json, the lock error is still one line of ours at the end', async () => {
    const file = join(dataDir, 'server.json');
    const saved = readFileSync(file);
    rmSync(file);
    try {
      const sql = await failure(osprey('sql', 'SELECT 1'));
      expect(sql.code).toBe(1);
      const last = sql.stderr.trimEnd().split('\n').at(-1);
      expect(last).toMatch(
        /^osprey: cannot open the data directory .+ \(ClickHouse's reason is above; usually another process holds it, such as an osprey server without server\.json\): stop it/,
      );
      expect(sql.stderr).toContain('Cannot lock file'); // chDB's own line, from native code
      expect(sql.stderr).not.toContain('ChdbConnectionError');
    } finally {
      writeFileSync(file, saved, { mode: 0o600 });
    }
  }, 60_000);
});

describe('server.json after the server', () => {
  it('is removed when the server stops, and the commands then open the store themselves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-cli-held-'));
    const server = await startOsprey({ dataDir, env: { OSPREY_DETECTORS: 'off' } });
    expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);

    // A server killed without cleaning up leaves a stale file: its pid is gone, so it is ignored.
    writeFileSync(
      join(dataDir, 'server.json'),
      JSON.stringify({ url: 'http://127.0.0.1:9', pid: 2 ** 22 + 1, token: 'osp_local_stale' }),
      { mode: 0o600 },
    );
    const created = await ospreyCommand(dataDir, [
      'keys',
      'create',
      '--name',
      'after',
      '--scopes',
      'read',
    ]);
    expect(created.stdout.trim()).toMatch(/^osp_[0-9a-f]{8}_/);
  }, 120_000);
});
