import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, stats } from '../support/http';
import { rssKiB as processRss } from '../support/proc';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Every bad-input answer of the collector, asserted exactly, against a real `osprey start`.
let osprey: OspreyProcess;
let readOnlyKey: string;
const MAX_BODY = 5 * 1024 * 1024; // the default OSPREY_MAX_BODY_BYTES

beforeAll(async () => {
  osprey = await startOsprey();
  readOnlyKey = await createKey(osprey, 'read');
});
afterAll(async () => {
  await osprey?.stop();
});

async function createKey(o: OspreyProcess, scope: string): Promise<string> {
  const res = await post(
    `${o.url}/api/v1/api-keys`,
    JSON.stringify({ name: `only ${scope}`, scopes: [scope] }),
    {
      authorization: `Bearer ${o.apiKey}`,
      'content-type': 'application/json',
    },
  );
  if (res.status !== 201)
    throw new Error(`creating a key answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json.key as string;
}

const auth = () => ({ authorization: `Bearer ${osprey.apiKey}` });
const json = () => ({ ...auth(), 'content-type': 'application/json' });
const good = (i = 0) => ({
  model: 'bad-input',
  version: 'v1',
  features: { x: i, c: 'a' },
  prediction: i,
  latency_ms: 1,
});
const predictions = () => `${osprey.url}/v1/predictions`;

describe('collector bad input', () => {
  it('answers 400 for a body that is not JSON', async () => {
    const res = await post(predictions(), '{"model": ', json());
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^body is not valid JSON: /);
  });

  it('answers 400 for JSON of the wrong shape', async () => {
    const res = await post(predictions(), '42', json());
    expect(res).toMatchObject({
      status: 400,
      json: { error: 'body must be a JSON object or an array of objects' },
    });
  });

  it.each([
    ['an event without model', { ...good(), model: undefined }, 'model: required'],
    [
      'a feature whose value is an object',
      { ...good(), features: { x: { y: 1 } } },
      'features.x: must be a number, string, boolean or null',
    ],
    [
      'an unparseable timestamp',
      { ...good(), timestamp: 'last tuesday' },
      'timestamp: must be an ISO-8601 string or epoch milliseconds',
    ],
    ['a negative latency', { ...good(), latency_ms: -3 }, 'latency_ms: must be >= 0'],
    [
      'a timestamp older than the retention',
      { ...good(), timestamp: '2001-01-01T00:00:00Z' },
      'timestamp: is older than the retention of 90 days (OSPREY_RETENTION_DAYS)',
    ],
  ])(
    'rejects %s, naming the field, and keeps the good event beside it',
    async (_what, bad, error) => {
      const res = await post(predictions(), JSON.stringify([good(1), bad]), json());
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ accepted: 1, rejected: [{ index: 1, error }] });
    },
  );

  it('stores 9,997 of a 10,000-event batch with 3 bad events and names each', async () => {
    const model = `batch-${Date.now()}`;
    const events: Record<string, unknown>[] = Array.from({ length: 10_000 }, (_, i) => ({
      ...good(i),
      model,
    }));
    events[17] = { ...events[17], model: undefined };
    events[4_321] = { ...events[4_321], features: { f: [1, 2] } };
    events[9_999] = { ...events[9_999], latency_ms: -1 };
    const res = await post(predictions(), gzipSync(JSON.stringify(events)), {
      ...json(),
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      accepted: 9_997,
      rejected: [
        { index: 17, error: 'model: required' },
        { index: 4_321, error: 'features.f: must be a number, string, boolean or null' },
        { index: 9_999, error: 'latency_ms: must be >= 0' },
      ],
    });
    expect((await stats(osprey.url, osprey.apiKey, model)).count).toBe(9_997);
  });

  it('takes NDJSON and rejects only the line that is not JSON', async () => {
    const body = [JSON.stringify(good(1)), '{broken', JSON.stringify(good(2))].join('\n');
    const res = await post(predictions(), body, {
      ...auth(),
      'content-type': 'application/x-ndjson',
    });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(2);
    expect(res.json.rejected).toEqual([
      { index: 1, error: expect.stringMatching(/^event: line is not valid JSON/) },
    ]);
  });

  it('answers 413 for a body over OSPREY_MAX_BODY_BYTES', async () => {
    const big = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => good(i)));
    expect(big.length).toBeGreaterThan(MAX_BODY);
    const res = await post(predictions(), big, json());
    expect(res.status).toBe(413);
    expect(res.json.error).toBe(
      `request body is larger than ${MAX_BODY} bytes (OSPREY_MAX_BODY_BYTES); send smaller batches`,
    );
  });

  it('answers 413 for a gzip bomb without inflating it, and memory stays low', async () => {
    const bomb = await gzipOfZeros(512 * 1024 * 1024); // 512 MiB inflated, about 0.5 MB on the wire
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const before = rssKiB(osprey);
    const res = await post(predictions(), bomb, { ...json(), 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(rssKiB(osprey) - before).toBeLessThan(64 * 1024);
  });

  it('answers 415 for another content type', async () => {
    const res = await post(predictions(), 'model=x', {
      ...auth(),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res).toMatchObject({
      status: 415,
      json: {
        error:
          "Content-Type 'application/x-www-form-urlencoded' is not supported; send application/json or application/x-ndjson",
      },
    });
  });

  it('answers 401 without a key and with a wrong key, 403 for a key without the scope', async () => {
    const body = JSON.stringify(good());
    expect(await post(predictions(), body, { 'content-type': 'application/json' })).toMatchObject({
      status: 401,
      json: { error: 'missing API key: send Authorization: Bearer <key>' },
    });
    expect(
      await post(predictions(), body, {
        authorization: 'Bearer nope',
        'content-type': 'application/json',
      }),
    ).toMatchObject({
      status: 401,
      json: { error: 'invalid or revoked API key' },
    });
    const res = await post(predictions(), body, {
      authorization: `Bearer ${readOnlyKey}`,
      'content-type': 'application/json',
    });
    expect(res).toMatchObject({
      status: 403,
      json: { error: "this API key lacks the 'ingest' scope" },
    });
  });

  it('is still alive and storing after all of the above', async () => {
    const res = await post(predictions(), JSON.stringify(good(5)), json());
    expect(res).toMatchObject({ status: 200, json: { accepted: 1, rejected: [] } });
    expect(osprey.child.exitCode).toBeNull();
  });
});

function rssKiB(o: OspreyProcess): number {
  return processRss(o.child.pid!);
}

function gzipOfZeros(bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const chunks: Buffer[] = [];
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve(Buffer.concat(chunks)));
    gzip.on('error', reject);
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < bytes / zeros.length; i++) gzip.write(zeros);
    gzip.end();
  });
}
