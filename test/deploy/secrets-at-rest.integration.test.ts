import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseKey, SecretKeyring } from '@osprey/db';
import { verifyWebhook } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ospreyCommand, sqlRows } from '../support/osprey-cli';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { startReceiver, type TestReceiver } from '../support/receiver';

// Channel secrets at rest (AES-256-GCM), through the real `osprey` on one data directory: a row
// from before encryption sealed at start under a generated key, the move to OSPREY_SECRET_KEY
// with `osprey secrets rotate`, and a wrong key that leaves the process up and says why.
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'osprey-secrets-'));
const legacy = { id: randomUUID(), name: 'legacy-hook-name', secret: whsec() };
const created = { name: 'created-hook-name', secret: whsec() };
/** A chat hook's URL carries its token: it is sealed like the signing secret. */
const hookToken = randomBytes(18).toString('hex');
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('hex');
let receiver: TestReceiver;
let osprey: OspreyProcess | undefined;
let generatedKey: string;
const logs: string[] = [];

function whsec(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
const keyId = (key: string) => new SecretKeyring(parseKey('k', key)).currentKeyId;

async function start(env: Record<string, string>) {
  osprey = await startOsprey({
    dataDir,
    env: { OSPREY_WEBHOOK_ALLOW: '127.0.0.1', OSPREY_DETECTORS: 'off', LOG_LEVEL: 'debug', ...env },
  });
  return osprey;
}
async function stop() {
  await osprey?.stop();
  logs.push(osprey?.logs() ?? '');
  osprey = undefined;
}
async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${osprey!.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${osprey!.apiKey}`,
      'content-type': 'application/json',
    },
  });
  const text = await res.text();
  expect(text, `${path} answered ${res.status} without a body`).not.toBe('');
  return { status: res.status, body: JSON.parse(text) as unknown };
}
/** Every file of the data directory, concatenated: what a stolen disk or backup holds. */
function rawBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) parts.push(readFileSync(join(entry.parentPath, entry.name)));
  return Buffer.concat(parts);
}
const storedSecrets = () =>
  sqlRows(dataDir, 'SELECT name, secrets FROM channels FINAL WHERE NOT deleted ORDER BY name');
const storedConfigs = () =>
  sqlRows(dataDir, 'SELECT name, config FROM channels FINAL WHERE NOT deleted ORDER BY name');

beforeAll(async () => {
  receiver = await startReceiver();
  await run(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(import.meta.dirname, 'fixtures', 'plaintext-channel.ts'),
      dataDir,
      legacy.id,
      legacy.name,
      receiver.url('/legacy'),
      legacy.secret,
    ],
    { cwd: REPO_ROOT },
  );
}, 60_000);
afterAll(async () => {
  await osprey?.stop();
  await receiver?.close();
});

describe('secrets at rest', () => {
  it('embedded without a key: generates one (0600, warned) and seals the plaintext row at start', async () => {
    expect((await storedSecrets())[0]![1]).toContain(legacy.secret); // the fixture is plaintext
    await start({});
    const keyFile = join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(osprey!.logs()).toContain('OSPREY_SECRET_KEY is not set');
    generatedKey = readFileSync(keyFile, 'utf8').trim();
    await stop();
    const [[name, secrets]] = (await storedSecrets()) as [[string, string]];
    expect(name).toBe(legacy.name);
    expect(secrets).toMatch(new RegExp(`^osk1:${keyId(generatedKey)}:`));
    expect(secrets).not.toContain(legacy.secret);
    const [[, config]] = (await storedConfigs()) as [[string, string]];
    expect(JSON.parse(config)).toMatchObject({ kind: 'webhook', name: legacy.name });
    expect(JSON.parse(config).url).toMatch(new RegExp(`^osk1:${keyId(generatedKey)}:`));
    expect(config).not.toContain('/legacy');
  }, 90_000);

  it('with OSPREY_SECRET_KEY: stores new secrets sealed, still signs with the old ones, logs no secret', async () => {
    await start({ OSPREY_SECRET_KEY: k1, OSPREY_SECRET_KEY_PREVIOUS: generatedKey });
    const made = await api('/api/v1/channels', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'webhook',
        name: created.name,
        url: receiver.url(`/created/${hookToken}`),
        secret: created.secret,
      }),
    });
    expect(made.status).toBe(201);
    // The row sealed under the generated key opens with it as OSPREY_SECRET_KEY_PREVIOUS.
    const test = await api(`/api/v1/channels/${legacy.id}/test`, { method: 'POST' });
    expect(test.body).toMatchObject({ delivered: true });
    const [hook] = receiver.at('/legacy');
    expect(verifyWebhook(legacy.secret, hook!.headers, hook!.body)).toBeTruthy();
    await stop();

    const rows = await storedSecrets();
    expect(rows.map(([n]) => n)).toEqual([created.name, legacy.name]);
    expect(rows[0]![1]).toMatch(new RegExp(`^osk1:${keyId(k1)}:`));
    expect(rows[1]![1]).toMatch(new RegExp(`^osk1:${keyId(generatedKey)}:`));
    const disk = rawBytes(dataDir);
    expect(disk.includes(created.name)).toBe(true); // the scan reads the table's bytes…
    expect(disk.includes(created.secret)).toBe(false); // …and no secret is among them
    expect(disk.includes(created.secret.slice(6, 30))).toBe(false);
    expect(disk.includes(hookToken)).toBe(false);
    // The API still answers the URL it was given.
    await start({ OSPREY_SECRET_KEY: k1, OSPREY_SECRET_KEY_PREVIOUS: generatedKey });
    const listed = (await api('/api/v1/channels')).body as { name: string; url: string }[];
    expect(listed.find((c) => c.name === created.name)?.url).toBe(
      receiver.url(`/created/${hookToken}`),
    );
    await stop();
    for (const text of logs)
      for (const secret of [legacy.secret, created.secret, k1, generatedKey])
        expect(text).not.toContain(secret);
  }, 90_000);

  it('`osprey secrets rotate` re-seals every secret under the new key', async () => {
    const env = { OSPREY_SECRET_KEY: k1, OSPREY_SECRET_KEY_PREVIOUS: generatedKey };
    const { stdout } = await ospreyCommand(dataDir, ['secrets', 'rotate'], env);
    expect(stdout).toContain(`channels: 2, re-encrypted under key ${keyId(k1)}: 1, unreadable`);
    expect(stdout).toContain('unreadable with the configured keys: 0');
    for (const [, secrets] of await storedSecrets())
      expect(secrets).toMatch(new RegExp(`^osk1:${keyId(k1)}:`));
    const again = await ospreyCommand(dataDir, ['secrets', 'rotate'], { OSPREY_SECRET_KEY: k1 });
    expect(again.stdout).toContain(': 0, unreadable with the configured keys: 0');
  }, 60_000);

  it('a wrong key: the process stays up, the channels show why and send nothing', async () => {
    await start({ OSPREY_SECRET_KEY: k2 });
    const listed = await api('/api/v1/channels');
    const channels = listed.body as {
      name: string;
      enabled: boolean;
      disabled_reason: string;
    }[];
    expect(channels).toHaveLength(2);
    for (const c of channels) {
      expect(c.enabled).toBe(false);
      expect(c.disabled_reason).toContain('cannot be decrypted');
      expect(c.disabled_reason).toContain('OSPREY_SECRET_KEY_PREVIOUS');
    }
    const before = receiver.received.length;
    const test = await api(`/api/v1/channels/${legacy.id}/test`, { method: 'POST' });
    expect(test.body).toMatchObject({ delivered: false });
    expect(receiver.received.length).toBe(before);
    expect((await fetch(`${osprey!.url}/healthz`)).status).toBe(200);
    await stop();
    const rotate = await ospreyCommand(dataDir, ['secrets', 'rotate'], {
      OSPREY_SECRET_KEY: k2,
    }).catch((err: { stdout: string; code: number }) => err);
    expect(rotate).toMatchObject({ code: 2 });
    expect(rotate.stdout).toContain('unreadable with the configured keys: 2');
  }, 90_000);
});
