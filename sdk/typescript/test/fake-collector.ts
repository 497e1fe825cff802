import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the fake collector saw it, body decompressed and parsed. */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  events: Record<string, unknown>[];
  status: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this much later. */
  delayMs?: number;
}

/** Decides the answer to a request; `n` counts requests from 0. Default: 200, all accepted. */
export type Responder = (req: RecordedRequest, n: number) => Answer;

export const acceptAll: Responder = (req) => ({
  status: 200,
  body: { accepted: req.events.length, rejected: [] },
});

/** 503 with `Retry-After: 1` on request number `at` (0-based), then accepts everything. */
export function unavailableOnce(at: number): Responder {
  return (req, n) =>
    n === at
      ? { status: 503, body: { error: 'storage is unavailable' }, headers: { 'retry-after': '1' } }
      : acceptAll(req, n);
}

export interface FakeCollector {
  url: string;
  port: number;
  requests: RecordedRequest[];
  respond: Responder;
  /** Every event received on `path` (default /v1/predictions), answered with a 200 or not. */
  received(path?: string): Record<string, unknown>[];
  /** Events in requests answered 200. */
  accepted(path?: string): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that gunzips, parses and records every request. `port` lets a
 * test start it where a client is already (unsuccessfully) sending.
 */
export async function startFakeCollector(
  respond: Responder = acceptAll,
  port = 0,
): Promise<FakeCollector> {
  const requests: RecordedRequest[] = [];
  const fake: FakeCollector = {
    url: '',
    port: 0,
    requests,
    respond,
    received: (path = '/v1/predictions') =>
      requests.filter((r) => r.path === path).flatMap((r) => r.events),
    accepted: (path = '/v1/predictions') =>
      requests.filter((r) => r.path === path && r.status === 200).flatMap((r) => r.events),
    close: () => closeServer(server),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const recorded: RecordedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        events: JSON.parse(raw.toString('utf8')) as Record<string, unknown>[],
        status: 0,
      };
      const answer = fake.respond(recorded, requests.length);
      recorded.status = answer.status;
      requests.push(recorded);
      const send = () => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}

/** A port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Polls until `check` holds, or fails the test after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A valid prediction for model `m`. */
export function prediction(i: number, model = 'fraud-model') {
  return {
    model,
    version: 'v1',
    features: { amount: i, country: 'FR', is_new: i % 2 === 0, missing: null },
    prediction: i / 10,
  };
}
