import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Osprey } from './client';
import { ProductionPoller, type Production } from './production';

// A real HTTP server playing Osprey's production endpoint and artifact route.
const artifacts: Record<string, Buffer> = {
  v1: Buffer.from('model one'),
  v2: Buffer.from('model two'),
};
let current: { version: string; etag: string } | null;
let requests: IncomingHttpHeaders[] = [];
let tamper = false;
/** What the production answer's artifact_url starts with ('' for a path from the server's root). */
let artifactBase: string | undefined;
/** Where the artifact route redirects to, when set. */
let redirectTo: string | undefined;
let server: Server;
let url: string;

function body(version: string): Production {
  return {
    model: 'm',
    version,
    sha256: createHash('sha256').update(artifacts[version]!).digest('hex'),
    artifact_url: `${artifactBase ?? url}/v1/models/m/versions/${version}/artifact`,
    changed_at: `2026-01-0${version.slice(1)}T00:00:00.000Z`,
    action: 'promote',
    reason: 'test',
    actor: 'test',
    alert_id: null,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer secret-key-0123456789')
      return res.writeHead(401).end();
    const artifact = /^\/v1\/models\/m\/versions\/(\w+)\/artifact$/.exec(req.url ?? '');
    if (artifact && redirectTo)
      return res.writeHead(302, { location: `${redirectTo}${req.url}` }).end();
    if (artifact)
      return res.writeHead(200).end(tamper ? Buffer.from('evil') : artifacts[artifact[1]!]);
    if (req.url !== '/v1/models/m/production') return res.writeHead(404).end();
    requests.push(req.headers);
    if (!current)
      return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"none"}');
    if (req.headers['if-none-match'] === current.etag)
      return res.writeHead(304, { etag: current.etag }).end();
    res
      .writeHead(200, { 'content-type': 'application/json', etag: current.etag })
      .end(JSON.stringify(body(current.version)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  current = null;
  requests = [];
  tamper = false;
  artifactBase = undefined;
  redirectTo = undefined;
});

const apiKey = 'secret-key-0123456789';

describe('ProductionPoller', () => {
  it('sends the cached ETag back and answers the cache on 304, the new version on a change', async () => {
    const poller = new ProductionPoller({ url, apiKey });
    expect(await poller.get('m')).toBeNull();
    current = { version: 'v1', etag: '"d1"' };
    const first = await poller.get('m');
    expect(first?.version).toBe('v1');
    const again = await poller.get('m');
    expect(again).toBe(first);
    expect(requests.map((h) => h['if-none-match'])).toEqual([undefined, undefined, '"d1"']);
    current = { version: 'v2', etag: '"d2"' };
    expect((await poller.get('m'))?.version).toBe('v2');
    expect(requests.at(-1)!['if-none-match']).toBe('"d1"');
  });

  it('answers the last known version when the server is unreachable, and fails without one', async () => {
    // A second server that goes away after the first answer.
    const once = createServer((_req, res) =>
      res.writeHead(200, { etag: '"x"' }).end(JSON.stringify(body('v1'))),
    );
    await new Promise<void>((resolve) => once.listen(0, '127.0.0.1', resolve));
    const onceUrl = `http://127.0.0.1:${(once.address() as AddressInfo).port}`;
    const poller = new ProductionPoller({ url: onceUrl, apiKey, requestTimeoutMs: 500 });
    const known = await poller.get('m');
    once.closeAllConnections();
    await new Promise((resolve) => once.close(resolve));
    expect(await poller.get('m')).toBe(known);
    const cold = new ProductionPoller({ url: onceUrl, apiKey, requestTimeoutMs: 500 });
    await expect(cold.get('m')).rejects.toMatchObject({ name: 'OspreyError', kind: 'failed' });
    current = { version: 'v1', etag: '"d1"' };
    const wrong = new ProductionPoller({ url, apiKey: 'wrong-key-0123456789' });
    await expect(wrong.get('m')).rejects.toMatchObject({ kind: 'failed', status: 401 });
  });

  it('watch calls back now and once per change, then stops', async () => {
    current = { version: 'v1', etag: '"d1"' };
    const client = new Osprey({ url, apiKey, flushOnExit: false });
    const seen: (string | null)[] = [];
    const stop = client.watchProduction('m', (p) => seen.push(p?.version ?? null), {
      intervalMs: 20,
    });
    await until(() => seen.length === 1);
    await until(() => requests.length >= 3);
    current = { version: 'v2', etag: '"d2"' };
    await until(() => seen.length === 2);
    const polls = requests.length;
    await until(() => requests.length >= polls + 2);
    stop();
    expect(seen).toEqual(['v1', 'v2']);
    const after = requests.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(requests.length).toBeLessThanOrEqual(after + 1);
    const bytes = await client.fetchArtifact((await client.production('m'))!);
    expect(Buffer.from(bytes).toString()).toBe('model two');
    tamper = true;
    await expect(client.fetchArtifact((await client.production('m'))!)).rejects.toThrow(
      /sha256 .*, expected/,
    );
    await client.close();
  });
});

describe('ProductionPoller.artifact', () => {
  it('resolves a relative artifact_url against the configured URL and sends the key there', async () => {
    current = { version: 'v1', etag: '"d1"' };
    artifactBase = '';
    const poller = new ProductionPoller({ url: `${url}/`, apiKey });
    const production = (await poller.get('m'))!;
    expect(production.artifact_url).toBe('/v1/models/m/versions/v1/artifact');
    expect(Buffer.from(await poller.artifact(production)).toString()).toBe('model one');
  });

  it('refuses an artifact_url on another origin and sends the key nowhere', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const evil = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200).end(artifacts.v1);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    try {
      current = { version: 'v1', etag: '"d1"' };
      artifactBase = evilUrl;
      const poller = new ProductionPoller({ url, apiKey });
      const production = (await poller.get('m'))!;
      await expect(poller.artifact(production)).rejects.toMatchObject({
        name: 'OspreyError',
        kind: 'failed',
        message: `artifact of m v1: artifact_url ${evilUrl}/v1/models/m/versions/v1/artifact is not on ${url}, the origin this client is configured with; the API key is only sent there (configure the client with Osprey's OSPREY_PUBLIC_URL, or unset it for relative URLs)`,
      });
      artifactBase = '//evil.example';
      current = { version: 'v1', etag: '"d2"' };
      await expect(poller.artifact((await poller.get('m'))!)).rejects.toThrow(
        /artifact_url http:\/\/evil\.example\/v1\/models\/m\/versions\/v1\/artifact is not on/,
      );
      expect(seen).toEqual([]);

      // Followed to another origin, a redirect does not carry the key (fetch drops it).
      artifactBase = undefined;
      redirectTo = evilUrl;
      current = { version: 'v1', etag: '"d3"' };
      expect(Buffer.from(await poller.artifact((await poller.get('m'))!)).toString()).toBe(
        'model one',
      );
      expect(seen).toHaveLength(1);
      expect(seen[0]!.authorization).toBeUndefined();
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});

async function until(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
