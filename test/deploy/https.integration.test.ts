import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, adminEnv } from '../support/browser';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { ensureTestCerts, httpsRequest, type TestCerts } from '../support/tls';

// `osprey start` serving HTTPS itself (OSPREY_TLS_CERT/KEY, a certificate of the test CA): the
// collector taking both SDKs' events, the dashboard's login and its Secure cookie, and what a
// client that does not speak TLS, or stalls in the handshake, gets.
const run = promisify(execFile);
let certs: TestCerts;
let ca: string;
let osprey: OspreyProcess;

beforeAll(async () => {
  certs = await ensureTestCerts();
  ca = readFileSync(certs.caFile, 'utf8');
  osprey = await startOsprey({
    tlsCaFile: certs.caFile,
    env: adminEnv({
      OSPREY_TLS_CERT: certs.serverCertFile,
      OSPREY_TLS_KEY: certs.serverKeyFile,
      OSPREY_BODY_TIMEOUT_S: '3',
      LOG_LEVEL: 'info',
    }),
  });
}, 90_000);
afterAll(async () => {
  await osprey?.stop();
});

async function storedCount(model: string): Promise<number> {
  const answer = await httpsRequest(
    `${osprey.url}/api/v1/models/${model}/stats?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
    { ca, headers: { authorization: `Bearer ${osprey.apiKey}` } },
  );
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as { count: number }).count;
}

describe('osprey serving HTTPS', () => {
  it('says https in the URL it logs', () => {
    expect(osprey.url).toMatch(/^https:/);
    expect(osprey.logs()).toMatch(/"url":"https:\/\/localhost:\d+"/);
  });

  it('takes events from the TypeScript SDK trusting the CA through NODE_EXTRA_CA_CERTS', async () => {
    const model = `ts-https-${Date.now()}`;
    const { stdout } = await run(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(import.meta.dirname, 'fixtures', 'log-over-https.ts'),
        osprey.url,
        osprey.apiKey,
        model,
        '300',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: certs.caFile } },
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({
      sent: 300,
      failed: 0,
      dropped: 0,
    });
    expect(await storedCount(model)).toBe(300);
  }, 60_000);

  it('takes events from the Python SDK trusting the CA through SSL_CERT_FILE', async () => {
    const model = `py-https-${Date.now()}`;
    const python = existsSync(join(REPO_ROOT, '.venv/bin/python'))
      ? join(REPO_ROOT, '.venv/bin/python')
      : 'python3';
    const script = join(REPO_ROOT, 'sdk/python/scripts/send_events.py');
    const args = [script, '--url', osprey.url, '--api-key', osprey.apiKey, '--model', model];
    const { stdout } = await run(python, [...args, '--version', 'v1', '--count', '200'], {
      env: {
        ...process.env,
        PYTHONPATH: join(REPO_ROOT, 'sdk/python'),
        SSL_CERT_FILE: certs.caFile,
      },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ sent: 200, failed: 0 });
    expect(await storedCount(model)).toBe(200);
  }, 60_000);

  it('signs a user in over HTTPS with a Secure session cookie, the same-origin check passing', async () => {
    const answer = await httpsRequest(`${osprey.url}/api/v1/auth/login`, {
      ca,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: osprey.url },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    expect(answer.status).toBe(200);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toContain('osprey_session=');
    expect(cookie).toMatch(/; Secure(;|$)/);
    const page = await httpsRequest(`${osprey.url}/`, {
      ca,
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
  }, 60_000);

  it('closes a plain-HTTP request to the TLS port at once, and goes on serving HTTPS', async () => {
    const started = Date.now();
    await expect(fetch(`${osprey.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await httpsRequest(`${osprey.url}/healthz`, { ca })).status).toBe(200);
  });

  it('refuses a client whose certificate check fails (no CA given)', async () => {
    await expect(fetch(`${osprey.url}/healthz`)).rejects.toThrow();
  });

  it('drops a connection that never finishes the TLS handshake, by the body deadline', async () => {
    const socket = connect(osprey.port, '127.0.0.1');
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const held = Date.now() - started;
    expect(held).toBeGreaterThan(2_000);
    expect(held).toBeLessThan(8_000);
  }, 15_000);
});
