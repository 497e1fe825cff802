import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCollector, type FakeCollector } from '../test/fake-collector';
import { Osprey } from './index';

let collector: FakeCollector;
let osprey: Osprey;

beforeEach(async () => {
  collector = await startFakeCollector();
  osprey = new Osprey({ url: collector.url, apiKey: 'osk_wrap', onError: () => {} });
});
afterEach(async () => {
  await osprey.close(1000);
  await collector.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wrap', () => {
  it('times and logs a synchronous function, keeping its signature, result and this', async () => {
    const model = {
      bias: 0.5,
      predict(x: { amount: number; country: string }): number {
        return x.amount * 2 + this.bias;
      },
    };
    const predict = osprey.wrap('fraud', 'v3', model.predict, { tags: { team: 'risk' } });
    expect(predict.call(model, { amount: 2, country: 'FR' })).toBe(4.5);
    expect(predict.name).toBe('predict');
    await osprey.flush();
    const [event] = collector.received();
    expect(event).toMatchObject({
      model: 'fraud',
      version: 'v3',
      features: { amount: 2, country: 'FR' },
      prediction: 4.5,
      tags: { team: 'risk' },
    });
    expect(event!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(event!.error).toBeUndefined();
  });

  it('awaits an async function and measures until it settles', async () => {
    const predict = osprey.wrap('ranker', 'v1', async (_x: { q: string }) => {
      await sleep(40);
      return [0.2, 0.8];
    });
    const result = predict({ q: 'shoes' });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toEqual([0.2, 0.8]);
    await osprey.flush();
    const [event] = collector.received();
    expect(event).toMatchObject({ features: { q: 'shoes' }, prediction: [0.2, 0.8] });
    expect(event!.latency_ms as number).toBeGreaterThanOrEqual(35);
  });

  it('logs the error and rethrows it, sync and async', async () => {
    const boom = new Error('model not loaded');
    const sync = osprey.wrap('m', 'v', (_x: { a: number }): number => {
      throw boom;
    });
    const async = osprey.wrap('m', 'v', async (_x: { a: number }): Promise<number> => {
      await sleep(5);
      throw new TypeError('bad tensor');
    });
    expect(() => sync({ a: 1 })).toThrow(boom);
    await expect(async({ a: 2 })).rejects.toThrow('bad tensor');
    await osprey.flush();
    const events = collector.received();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ features: { a: 1 }, error: 'Error: model not loaded' });
    expect(events[1]).toMatchObject({ features: { a: 2 }, error: 'TypeError: bad tensor' });
    for (const e of events) {
      expect(e.prediction).toBeUndefined();
      expect(e.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('uses the features, prediction and requestId extractors', async () => {
    const classify = osprey.wrap(
      'churn',
      'v2',
      (userId: string, plan: string, months: number) => ({
        label: 'stays',
        score: 0.93,
        userId,
        plan,
        months,
      }),
      {
        features: (_userId, plan, months) => ({ plan, months }),
        prediction: (r) => r.score,
        requestId: (userId) => `req-${userId}`,
      },
    );
    expect(classify('u1', 'pro', 14).label).toBe('stays');
    await osprey.flush();
    expect(collector.received()[0]).toMatchObject({
      features: { plan: 'pro', months: 14 },
      prediction: 0.93,
      request_id: 'req-u1',
    });
  });

  it('turns an array argument into features by index', async () => {
    const f = osprey.wrap('m', 'v', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    expect(f([1, 2, 3])).toBe(6);
    await osprey.flush();
    expect(collector.received()[0]!.features).toEqual({ 0: 1, 1: 2, 2: 3 });
  });

  it('never lets logging change what the caller sees', async () => {
    const throwingExtractor = osprey.wrap('m', 'v', (x: number) => x + 1, {
      features: () => {
        throw new Error('extractor bug');
      },
    });
    expect(throwingExtractor(1)).toBe(2);
    const unloggable = osprey.wrap('m', 'v', () => ({ not: 'a prediction' }));
    expect(unloggable()).toEqual({ not: 'a prediction' });
    await osprey.flush();
    // the extractor failure is logged as an error; the unloggable result is counted invalid
    expect(collector.received()[0]!.error).toMatch(
      /extracting the event failed: Error: extractor bug/,
    );
    expect(osprey.stats()).toMatchObject({ sent: 1, invalid: 1 });
  });
});
