import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, prediction, startFakeCollector } from '../test/fake-collector';
import { Osprey, type OspreyError, type OspreyOptions, type PredictionEvent } from './index';

const API_KEY = 'osk_buffer_key_987654321';
const opened: Osprey[] = [];
afterEach(async () => {
  for (const osprey of opened.splice(0)) await osprey.close(50);
  vi.restoreAllMocks();
});

/** A client whose collector is down and whose first retry is a minute away: events stay buffered. */
async function stuckClient(options: Partial<OspreyOptions> = {}) {
  const errors: OspreyError[] = [];
  const osprey = new Osprey({
    url: `http://127.0.0.1:${await freePort()}`,
    apiKey: API_KEY,
    retryBaseDelayMs: 60_000,
    retryMaxDelayMs: 60_000,
    onError: (e) => errors.push(e),
    ...options,
  });
  opened.push(osprey);
  return { osprey, errors };
}

describe('the bounded buffer', () => {
  it('drops new events beyond maxBufferSize, counting each one, including those in flight', async () => {
    const { osprey, errors } = await stuckClient({ maxBufferSize: 100, maxBatchSize: 30 });
    const first = Array.from({ length: 100 }, (_, i) => osprey.log(prediction(i)));
    expect(first.every((id) => id.length === 36)).toBe(true);
    // let batches go out (and fail): in-flight events still count against the bound
    await new Promise((r) => setTimeout(r, 100));
    expect(osprey.stats().inFlight).toBeGreaterThan(0);
    const more = Array.from({ length: 50 }, (_, i) => osprey.log(prediction(i)));
    expect(more.every((id) => id === '')).toBe(true);
    expect(osprey.logLabel({ model: 'm', label: 1, request_id: 'r' })).toBe(false);
    const stats = osprey.stats();
    expect(stats.dropped).toBe(51);
    expect(stats.queued + stats.inFlight).toBe(100);
    // one report for the whole episode, not one per event
    expect(errors.filter((e) => e.kind === 'dropped')).toHaveLength(1);
  });

  it('accepts events again once there is room', async () => {
    const collector = await startFakeCollector();
    const osprey = new Osprey({
      url: collector.url,
      apiKey: API_KEY,
      maxBufferSize: 10,
      onError: () => {},
    });
    opened.push(osprey);
    for (let i = 0; i < 15; i++) osprey.log(prediction(i));
    expect(osprey.stats().dropped).toBe(5);
    await osprey.flush();
    expect(osprey.log(prediction(99))).not.toBe('');
    await osprey.flush();
    expect(osprey.stats()).toMatchObject({ sent: 11, dropped: 5 });
    await collector.close();
  });

  it('log() never throws, whatever it is given, and counts the garbage as invalid', async () => {
    const { osprey, errors } = await stuckClient();
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reading me');
        },
      },
    );
    const badToString = {
      toString: () => {
        throw new Error('nope');
      },
    };
    const ok = { model: 'm', version: 'v', prediction: 1 };
    const garbage: unknown[] = [
      undefined,
      null,
      42,
      'a string',
      Symbol('s'),
      () => 1,
      [],
      {},
      circular,
      hostile,
      { ...ok, model: undefined },
      { ...ok, model: 'has spaces' },
      { ...ok, model: 'x'.repeat(129) },
      { ...ok, version: '' },
      { ...ok, version: 3 },
      { ...ok, features: circular },
      { ...ok, features: { nested: { deep: 1 } } },
      { ...ok, features: { big: 10n } },
      { ...ok, features: { fn: () => 1 } },
      { ...ok, features: 'not an object' },
      { ...ok, features: [1, 2] },
      {
        ...ok,
        features: Object.defineProperty({}, 'boom', {
          enumerable: true,
          get: () => {
            throw new Error('x');
          },
        }),
      },
      { ...ok, prediction: 10n },
      { ...ok, prediction: NaN },
      { ...ok, prediction: { label: 'a' } },
      { ...ok, prediction: [1, 'two'] },
      { ...ok, prediction: new Array(5000).fill(0) },
      { ...ok, prediction: undefined },
      { ...ok, latency_ms: -1 },
      { ...ok, latency_ms: NaN },
      { ...ok, latency_ms: 1n },
      { ...ok, error: badToString },
      { ...ok, error: '' },
      { ...ok, tags: { a: 1 } },
      { ...ok, tags: circular },
      { ...ok, request_id: '' },
      { ...ok, request_id: 7 },
      { ...ok, event_id: 'not-a-uuid' },
      { ...ok, timestamp: 'yesterday' },
      { ...ok, timestamp: -5 },
    ];
    for (const input of garbage) {
      expect(() => osprey.log(input as PredictionEvent)).not.toThrow();
      expect(osprey.log(input as PredictionEvent)).toBe('');
    }
    expect(osprey.stats().invalid).toBe(garbage.length * 2);
    expect(osprey.stats().queued).toBe(0);
    // every report names the field
    const named = errors.filter((e) => e.kind === 'invalid').map((e) => e.message);
    expect(named).toContain(
      'invalid prediction event not logged: features.big: must be a number, string, boolean or null',
    );
    expect(named).toContain(
      'invalid prediction event not logged: model: must be 1-128 characters of A-Z a-z 0-9 _ . -',
    );
    expect(named.some((m) => m.includes('event could not be read: Error: no reading me'))).toBe(
      true,
    );

    for (const input of [
      undefined,
      { model: 'm' },
      { model: 'm', label: 1 },
      { model: 'm', label: 1, event_id: 'x' },
    ]) {
      expect(osprey.logLabel(input as never)).toBe(false);
    }
    expect(osprey.stats().invalid).toBe(garbage.length * 2 + 4);
  });

  it('accepts the edge cases the collector accepts', async () => {
    const collector = await startFakeCollector();
    const osprey = new Osprey({ url: collector.url, apiKey: API_KEY, onError: () => {} });
    opened.push(osprey);
    const valid: PredictionEvent[] = [
      { model: 'm', version: 'v', error: 'boom' }, // a failed prediction needs no prediction
      { model: 'm', version: 'v', prediction: 'cat' },
      { model: 'm', version: 'v', prediction: new Float32Array([0.5, 0.25]) },
      { model: 'm', version: 'v', prediction: 0, error: 'x'.repeat(5000) },
      { model: 'm', version: 'v', prediction: 1, timestamp: new Date(1_700_000_000_000) },
      { model: 'm', version: 'v', prediction: 1, timestamp: '2024-01-02T03:04:05Z' },
      { model: 'm', version: 'v', prediction: 1, event_id: '0b6c2a2e-8f5d-4f7a-9c1e-3d2b1a0f9e8d' },
      { model: 'm', version: 'v', prediction: 1, features: { __proto__: 1 } as never },
    ];
    for (const e of valid) expect(osprey.log(e)).not.toBe('');
    await osprey.flush();
    const got = collector.received();
    expect(osprey.stats()).toMatchObject({ invalid: 0, sent: valid.length });
    expect(got[2]!.prediction).toEqual([0.5, 0.25]);
    expect((got[3]!.error as string).length).toBe(4096);
    expect(got[4]!.timestamp).toBe(1_700_000_000_000);
    expect(got[5]!.timestamp).toBe(Date.parse('2024-01-02T03:04:05Z'));
    expect(got[6]!.event_id).toBe('0b6c2a2e-8f5d-4f7a-9c1e-3d2b1a0f9e8d');
    await collector.close();
  });

  it('an onError that throws does not reach the caller', async () => {
    const { osprey } = await stuckClient({
      maxBufferSize: 1,
      onError: () => {
        throw new Error('handler bug');
      },
    });
    expect(() => osprey.log(undefined as never)).not.toThrow();
    osprey.log(prediction(1));
    expect(() => osprey.log(prediction(2))).not.toThrow();
    expect(osprey.stats()).toMatchObject({ invalid: 1, dropped: 1 });
  });

  it('stays fast: 50 000 log() calls, and 100 000 more into a full buffer', async () => {
    const { osprey } = await stuckClient({ maxBufferSize: 50_000, maxBatchSize: 50_000 });
    const event = prediction(1);
    let start = performance.now();
    for (let i = 0; i < 50_000; i++) osprey.log(event);
    const buffering = performance.now() - start;
    start = performance.now();
    for (let i = 0; i < 100_000; i++) osprey.log(event);
    const dropping = performance.now() - start;
    expect(osprey.stats()).toMatchObject({ queued: 50_000, dropped: 100_000 });
    // generous bounds for slow, busy CI machines: ~1-3 µs per call is typical
    expect(buffering).toBeLessThan(2000);
    expect(dropping).toBeLessThan(200);
  });

  it('the default onError warns at most once per 30 s, without the API key', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const osprey = new Osprey({ url: `http://127.0.0.1:${await freePort()}`, apiKey: API_KEY });
    opened.push(osprey);
    for (let i = 0; i < 10; i++) osprey.log({ model: 'm', version: '', prediction: 1 });
    osprey.log({ model: `bad key ${API_KEY}` } as never);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^\[osprey\] invalid prediction event/);
    expect(warn.mock.calls.flat().join(' ')).not.toContain(API_KEY);
  });
});
