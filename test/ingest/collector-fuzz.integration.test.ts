import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, stats } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { rawRequest } from '../support/raw-http';

// The collector fuzzed for a bounded time (OSPREY_FUZZ_SECONDS, default 20): bodies, headers and
// encodings, well-formed HTTP and not. The process stays up, every answer is one of the documented
// codes (docs/security.md), and a good event sent after it all is stored.
const SECONDS = Number(process.env.OSPREY_FUZZ_SECONDS ?? 20);
const DOCUMENTED = new Set([200, 400, 401, 403, 404, 405, 408, 411, 413, 415, 431, 503]);
let osprey: OspreyProcess;

beforeAll(async () => {
  osprey = await startOsprey({
    env: { OSPREY_BODY_IDLE_TIMEOUT_S: '1', OSPREY_BODY_TIMEOUT_S: '3' },
  });
});
afterAll(async () => {
  await osprey?.stop();
});

const good = { model: 'fuzz', version: 'v1', features: { x: 1, c: 'a' }, prediction: 1 };
const scalar = fc.oneof(
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
);
/** An event mutated field by field: the shape the contract checks, with anything in it. */
const mutatedEvent = fc.record(
  {
    model: fc.oneof(fc.constant('fuzz'), fc.string({ maxLength: 200 }), scalar),
    version: fc.oneof(fc.constant('v1'), fc.string({ unit: 'binary', maxLength: 200 }), scalar),
    features: fc.oneof(
      fc.dictionary(fc.string({ unit: 'binary', maxLength: 30 }), scalar, { maxKeys: 20 }),
      fc.anything(),
    ),
    prediction: fc.oneof(scalar, fc.array(fc.double(), { maxLength: 10 }), fc.anything()),
    timestamp: fc.oneof(fc.integer(), fc.string({ maxLength: 40 }), fc.date().map(String)),
    latency_ms: fc.oneof(fc.double(), scalar),
    event_id: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    tags: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const bodyText = fc.oneof(
  fc.array(mutatedEvent, { maxLength: 30 }).map((es) => JSON.stringify(es)),
  mutatedEvent.map((e) => JSON.stringify(e)),
  fc
    .array(mutatedEvent, { maxLength: 10 })
    .map((es) => es.map((e) => JSON.stringify(e)).join('\n')),
  fc.json({ maxDepth: 6 }),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constant(`[${JSON.stringify(good)}`),
);
const body = fc.oneof(
  bodyText.map((t) => ({ bytes: Buffer.from(t), encoding: undefined as string | undefined })),
  bodyText.map((t) => ({ bytes: gzipSync(t), encoding: 'gzip' })),
  bodyText.map((t) => ({ bytes: gzipSync(t).subarray(0, 12), encoding: 'gzip' })),
  fc.uint8Array({ maxLength: 4000 }).map((b) => ({ bytes: Buffer.from(b), encoding: 'gzip' })),
  bodyText.map((t) => ({ bytes: Buffer.from(t), encoding: 'br' })),
  fc.uint8Array({ maxLength: 4000 }).map((b) => ({ bytes: Buffer.from(b), encoding: undefined })),
);
const request = fc.record({
  path: fc.constantFrom('/v1/predictions', '/v1/labels', '/v1/reference', '/v1/health'),
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
  contentType: fc.constantFrom(
    'application/json',
    'application/x-ndjson',
    'application/jsonl',
    'application/json; charset=utf-8',
    'text/plain',
    '',
  ),
  auth: fc.constantFrom('key', 'key', 'none', 'wrong'),
  body,
});

describe('collector fuzz', () => {
  it(
    `stays up for ${SECONDS} s of fuzzed requests, answering only documented codes`,
    async () => {
      const seen = new Map<number, number>();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers: Record<string, string> = {};
          if (r.contentType) headers['content-type'] = r.contentType;
          if (r.body.encoding) headers['content-encoding'] = r.body.encoding;
          if (r.auth === 'key') headers.authorization = `Bearer ${osprey.apiKey}`;
          if (r.auth === 'wrong') headers.authorization = 'Bearer not-a-key-at-all';
          const res = await fetch(`${osprey.url}${r.path}`, {
            method: r.method,
            headers,
            body: r.method === 'GET' ? undefined : r.body.bytes,
          });
          await res.arrayBuffer();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          runs++;
          expect(DOCUMENTED.has(res.status), `status ${res.status}`).toBe(true);
        }),
        { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: SECONDS * 1000 },
      );
      expect(runs).toBeGreaterThan(50);
      // Broken HTTP on a raw socket: garbage request lines, a huge header, a lying Content-Length.
      const raw = [
        'GARBAGE\r\n\r\n',
        `POST /v1/predictions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
        'POST /v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
        'POST /v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ];
      for (const text of raw) {
        const { answer, socket } = rawRequest({ port: osprey.port, method: '', path: '' });
        socket.removeAllListeners('connect');
        socket.on('connect', () => socket.write(text));
        const { status } = await answer;
        expect([400, 408, 431]).toContain(status);
      }
      const res = await post(`${osprey.url}/v1/predictions`, JSON.stringify(good), {
        authorization: `Bearer ${osprey.apiKey}`,
        'content-type': 'application/json',
      });
      expect(res).toMatchObject({ status: 200, json: { accepted: 1 } });
      expect((await stats(osprey.url, osprey.apiKey, 'fuzz')).count).toBeGreaterThanOrEqual(1);
      expect(osprey.child.exitCode).toBeNull();
      expect(osprey.logs()).not.toContain('collector request failed');
      console.log(
        `collector fuzz: ${runs} requests, answers ${JSON.stringify(Object.fromEntries(seen))}`,
      );
    },
    (SECONDS + 60) * 1000,
  );
});
