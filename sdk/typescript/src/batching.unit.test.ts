import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCollector, until, prediction, type FakeCollector } from '../test/fake-collector';
import { Osprey } from './index';
import type { OspreyOptions } from './index';

const API_KEY = 'osk_test_batching_0123456789';
let collector: FakeCollector;
let client: Osprey | undefined;

async function setup(options: Partial<OspreyOptions> = {}) {
  collector = await startFakeCollector();
  client = new Osprey({ url: collector.url, apiKey: API_KEY, onError: () => {}, ...options });
  return client;
}

afterEach(async () => {
  await client?.close(2000);
  client = undefined;
  await collector?.close();
});

describe('batching', () => {
  it('sends a batch as soon as maxBatchSize events are queued, without waiting for the interval', async () => {
    const osprey = await setup({ maxBatchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) osprey.log(prediction(i));
    await until(() => collector.requests.length === 2);
    expect(collector.requests.map((r) => r.events.length)).toEqual([10, 10]);
    expect(osprey.stats().queued).toBe(5);
    await osprey.flush();
    expect(collector.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
    expect(osprey.stats()).toMatchObject({ queued: 0, inFlight: 0, sent: 25 });
  });

  it('sends what is queued every flushIntervalMs', async () => {
    const osprey = await setup({ maxBatchSize: 500, flushIntervalMs: 50 });
    osprey.log(prediction(1));
    osprey.log(prediction(2));
    await until(() => collector.requests.length === 1, 2000);
    expect(collector.requests[0]!.events).toHaveLength(2);
    osprey.log(prediction(3));
    await until(() => osprey.stats().sent === 3, 2000);
    expect(collector.requests.map((r) => r.events.length)).toEqual([2, 1]);
  });

  it('gzips a JSON array of exactly the contract fields, with the auth and content headers', async () => {
    const osprey = await setup();
    const before = Date.now();
    const id = osprey.log({
      model: 'churn.v2_model-a',
      version: '2024-06-01',
      features: { age: 42, plan: 'pro', active: true, score: NaN, gone: undefined, none: null },
      prediction: [0.1, 0.9],
      latency_ms: 3.5,
      tags: { region: 'eu' },
      request_id: 'req-1',
      // not part of the contract: must not be sent (the collector rejects unknown fields)
      ...({ extra: 'x' } as object),
    });
    await osprey.flush();
    const [req] = collector.requests;
    expect(req!.path).toBe('/v1/predictions');
    expect(req!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req!.headers['content-encoding']).toBe('gzip');
    expect(req!.headers['content-type']).toBe('application/json');
    const [event] = req!.events;
    expect(event).toEqual({
      event_id: id,
      timestamp: expect.any(Number),
      model: 'churn.v2_model-a',
      version: '2024-06-01',
      features: { age: 42, plan: 'pro', active: true, score: null, none: null },
      prediction: [0.1, 0.9],
      latency_ms: 3.5,
      tags: { region: 'eu' },
      request_id: 'req-1',
    });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event!.timestamp as number).toBeGreaterThanOrEqual(before);
    expect(event!.timestamp as number).toBeLessThanOrEqual(Date.now());
  });

  it('copies the event at log() time, so the caller may reuse its objects', async () => {
    const osprey = await setup();
    const features: Record<string, number> = { x: 1 };
    osprey.log({ model: 'm', version: 'v', features, prediction: 1 });
    features.x = 2;
    features.y = 3;
    await osprey.flush();
    expect(collector.received()[0]!.features).toEqual({ x: 1 });
  });

  it('sends labels to /v1/labels with the same buffering', async () => {
    const osprey = await setup();
    const id = osprey.log(prediction(1));
    expect(osprey.logLabel({ model: 'fraud-model', label: 1, event_id: id })).toBe(true);
    expect(
      osprey.logLabel({
        model: 'fraud-model',
        label: 'spam',
        request_id: 'r-9',
        timestamp: 1_700_000_000_000,
      }),
    ).toBe(true);
    await osprey.flush();
    const labels = collector.received('/v1/labels');
    expect(labels).toEqual([
      { model: 'fraud-model', label: 1, event_id: id, timestamp: expect.any(Number) },
      { model: 'fraud-model', label: 'spam', request_id: 'r-9', timestamp: 1_700_000_000_000 },
    ]);
    expect(collector.received()).toHaveLength(1);
    expect(osprey.stats().sent).toBe(3);
  });

  it('keeps at most maxConcurrentRequests requests in flight per endpoint', async () => {
    let inFlight = 0;
    let most = 0;
    const server = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight--;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"accepted":5,"rejected":[]}');
      }, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const slow = new Osprey({
      url: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      maxBatchSize: 5,
      maxConcurrentRequests: 2,
      onError: () => {},
    });
    for (let i = 0; i < 50; i++) slow.log(prediction(i));
    await slow.close();
    expect(slow.stats().sent).toBe(50);
    expect(most).toBe(2);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});
