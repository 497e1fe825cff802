import { describe, expect, it } from 'vitest';
import { acceptAll, freePort, prediction, unavailableOnce } from '../test/fake-collector';
import { testHarness } from '../test/harness';
import { type OspreyOptions } from './index';

const API_KEY = 'osk_live_SECRET_do_not_print_42';
const fast = {
  retryBaseDelayMs: 10,
  retryMaxDelayMs: 50,
  flushIntervalMs: 20,
} satisfies Partial<OspreyOptions>;

const { collectorWith, client } = testHarness(API_KEY, fast);

function ids(events: Record<string, unknown>[]): string[] {
  return events.map((e) => e.event_id as string);
}

function expectEachOnce(received: string[], logged: string[]) {
  expect(received).toHaveLength(logged.length);
  expect(new Set(received)).toEqual(new Set(logged));
}

describe('retries', () => {
  it('keeps events while the collector is not listening and delivers each exactly once when it is', async () => {
    const port = await freePort();
    const { osprey, errors } = client(`http://127.0.0.1:${port}`, { maxBatchSize: 20 });
    const logged = Array.from({ length: 50 }, (_, i) => osprey.log(prediction(i)));
    await new Promise((r) => setTimeout(r, 300));
    expect(osprey.stats().sent).toBe(0);
    expect(osprey.stats().queued + osprey.stats().inFlight).toBe(50);
    expect(errors.some((e) => e.kind === 'retrying' && /ECONNREFUSED/.test(e.message))).toBe(true);

    const collector = await collectorWith(acceptAll, port);
    expect(await osprey.flush(5000)).toBe(true);
    expectEachOnce(ids(collector.received()), logged);
    expect(osprey.stats()).toMatchObject({ sent: 50, failed: 0, queued: 0, inFlight: 0 });
    expect(osprey.stats().retries).toBeGreaterThan(0);
  });

  it('honours 503 with Retry-After: 1, then delivers each event exactly once', async () => {
    const collector = await collectorWith(unavailableOnce(0));
    const { osprey, errors } = client(collector.url);
    const logged = Array.from({ length: 30 }, (_, i) => osprey.log(prediction(i)));
    const start = Date.now();
    expect(await osprey.flush(5000)).toBe(true);
    const waited = collector.requests[1]!;
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    expect(waited.status).toBe(200);
    expectEachOnce(ids(collector.accepted()), logged);
    expect(osprey.stats()).toMatchObject({ sent: 30, retries: 1, failed: 0 });
    expect(errors.find((e) => e.kind === 'retrying')?.message).toMatch(
      /\(503: storage is unavailable\); retrying in 1000 ms/,
    );
  });

  it('retries 500, 502 and 429 with backoff', async () => {
    const statuses = [500, 502, 429];
    const collector = await collectorWith((req, n) =>
      n < statuses.length ? { status: statuses[n]! } : acceptAll(req, n),
    );
    const { osprey } = client(collector.url);
    const logged = [osprey.log(prediction(1)), osprey.log(prediction(2))];
    await osprey.flush(5000);
    expect(collector.requests.map((r) => r.status)).toEqual([500, 502, 429, 200]);
    expectEachOnce(ids(collector.accepted()), logged);
    expect(osprey.stats()).toMatchObject({ sent: 2, retries: 3 });
  });

  it('counts events the collector rejects, and does not retry them', async () => {
    const collector = await collectorWith((req) => ({
      status: 200,
      body: {
        accepted: req.events.length - 2,
        rejected: [
          { index: 1, error: 'features.amount: must be a number, string, boolean or null' },
          { index: 3, error: 'version: must not be empty' },
        ],
      },
    }));
    const { osprey, errors } = client(collector.url);
    const logged = Array.from({ length: 5 }, (_, i) => osprey.log(prediction(i)));
    await osprey.flush();
    expect(collector.requests).toHaveLength(1);
    expect(osprey.stats()).toMatchObject({ sent: 3, rejected: 2, failed: 0, retries: 0 });
    const rejected = errors.find((e) => e.kind === 'rejected')!;
    expect(rejected.count).toBe(2);
    expect(rejected.message).toContain('features.amount');
    expect(rejected.message).toContain(logged[1]);
  });

  it('does not retry a 401, counts the batch failed and keeps the API key out of the message', async () => {
    const collector = await collectorWith(() => ({
      status: 401,
      // a careless collector echoing the key must not leak it either
      body: { error: `invalid API key ${API_KEY}` },
    }));
    const warnings: string[] = [];
    const { osprey, errors } = client(collector.url);
    for (let i = 0; i < 7; i++) osprey.log(prediction(i));
    await osprey.flush();
    expect(collector.requests).toHaveLength(1);
    expect(osprey.stats()).toMatchObject({
      sent: 0,
      failed: 7,
      retries: 0,
      inFlight: 0,
      queued: 0,
    });
    const failed = errors.find((e) => e.kind === 'failed')!;
    expect(failed.status).toBe(401);
    expect(failed.count).toBe(7);
    expect(failed.message).toMatch(/401/);
    for (const e of errors) warnings.push(e.message, String(e.stack));
    expect(warnings.join('\n')).not.toContain(API_KEY);
    expect(warnings.join('\n')).toContain('[redacted]');
  });

  it('does not retry 400, 403 or 415', async () => {
    for (const status of [400, 403, 415]) {
      const collector = await collectorWith(() => ({ status }));
      const { osprey } = client(collector.url);
      osprey.log(prediction(1));
      await osprey.flush();
      expect(collector.requests).toHaveLength(1);
      expect(osprey.stats()).toMatchObject({ failed: 1, retries: 0 });
    }
  });

  it('splits a batch answered 413 and sends the halves', async () => {
    const collector = await collectorWith((req, n) =>
      req.events.length > 4
        ? { status: 413, body: { error: 'request body is larger than 100 bytes' } }
        : acceptAll(req, n),
    );
    const { osprey } = client(collector.url, { maxBatchSize: 500 });
    const logged = Array.from({ length: 10 }, (_, i) => osprey.log(prediction(i)));
    await osprey.flush();
    // 10 -> 413; 5 -> 413; 3 + 2 sent; 5 -> 413; 3 + 2 sent
    expect(collector.requests.map((r) => [r.events.length, r.status])).toEqual([
      [10, 413],
      [5, 413],
      [3, 200],
      [2, 200],
      [5, 413],
      [3, 200],
      [2, 200],
    ]);
    expectEachOnce(ids(collector.accepted()), logged);
    expect(osprey.stats()).toMatchObject({ sent: 10, failed: 0, retries: 0 });
  });

  it('gives a single event answered 413 up as failed', async () => {
    const collector = await collectorWith(() => ({ status: 413 }));
    const { osprey } = client(collector.url);
    osprey.log(prediction(1));
    osprey.log(prediction(2));
    await osprey.flush();
    expect(collector.requests.map((r) => r.events.length)).toEqual([2, 1, 1]);
    expect(osprey.stats()).toMatchObject({ sent: 0, failed: 2 });
  });

  it('splits a batch larger than maxBatchBytes before sending it', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url, { maxBatchBytes: 1000 });
    for (let i = 0; i < 20; i++) osprey.log(prediction(i));
    await osprey.flush();
    expect(collector.requests.length).toBeGreaterThan(1);
    expect(collector.received()).toHaveLength(20);
    for (const r of collector.requests)
      expect(JSON.stringify(r.events).length).toBeLessThanOrEqual(1000);
  });

  it('gives a batch up as failed after maxRetryDurationMs', async () => {
    const collector = await collectorWith(() => ({ status: 503 }));
    const { osprey, errors } = client(collector.url, { maxRetryDurationMs: 150 });
    osprey.log(prediction(1));
    osprey.log(prediction(2));
    await osprey.flush();
    expect(osprey.stats()).toMatchObject({ sent: 0, failed: 2, queued: 0, inFlight: 0 });
    expect(osprey.stats().retries).toBeGreaterThan(0);
    expect(errors.at(-1)!.message).toMatch(
      /gave up 2 prediction events: still failing after 150 ms of retries \(503\)/,
    );
  });

  it('times a request out after requestTimeoutMs and retries it', async () => {
    const collector = await collectorWith((req, n) => ({
      ...acceptAll(req, n),
      delayMs: n === 0 ? 300 : 0,
    }));
    const { osprey, errors } = client(collector.url, { requestTimeoutMs: 100 });
    const id = osprey.log(prediction(1));
    await osprey.flush(5000);
    expect(
      errors.some((e) => e.kind === 'retrying' && /no answer within 100 ms/.test(e.message)),
    ).toBe(true);
    expect(osprey.stats()).toMatchObject({ sent: 1, retries: 1 });
    // the first request reached the collector too: at-least-once, the collector dedupes on event_id
    expect(new Set(ids(collector.received()))).toEqual(new Set([id]));
  });
});
