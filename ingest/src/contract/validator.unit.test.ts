import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/support/events';
import { predictionEvent } from './prediction';
import { validateLabel, validatePrediction } from './validator';

const good = {
  model: 'house-prices',
  version: 'v1',
  features: { rooms: 3, hood: 'Old Town', garden: true, floor: null },
  prediction: 1.5,
};

describe('validatePrediction', () => {
  it('accepts a good event and normalises its timestamp to epoch ms', () => {
    expect(validatePrediction({ ...good, timestamp: '2026-01-02T03:04:05.678Z' })).toEqual({
      ok: true,
      value: { ...good, timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 678) },
    });
    expect(validatePrediction({ ...good, timestamp: 1767322800000 })).toMatchObject({
      ok: true,
      value: { timestamp: 1767322800000 },
    });
    expect(validatePrediction({ ...good, error: 'boom', prediction: undefined })).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['missing model', { ...good, model: undefined }, 'model: required'],
    [
      'model with a space',
      { ...good, model: 'my model' },
      'model: must be 1-128 characters of A-Z a-z 0-9 _ . - and not dots alone',
    ],
    ['missing version', { ...good, version: undefined }, 'version: required'],
    [
      'feature that is an object',
      { ...good, features: { rooms: { n: 3 } } },
      'features.rooms: must be a number, string, boolean or null',
    ],
    [
      'features not an object',
      { ...good, features: [1, 2] },
      'features: must be an object of feature name to value',
    ],
    [
      'unparseable timestamp',
      { ...good, timestamp: 'yesterday' },
      'timestamp: must be an ISO-8601 string or epoch milliseconds',
    ],
    [
      'impossible date',
      { ...good, timestamp: '2026-13-45T00:00:00Z' },
      'timestamp: must be an ISO-8601 string or epoch milliseconds',
    ],
    ['negative latency', { ...good, latency_ms: -1 }, 'latency_ms: must be >= 0'],
    ['latency as text', { ...good, latency_ms: '5' }, 'latency_ms: must be a number'],
    [
      'neither prediction nor error',
      { ...good, prediction: undefined },
      'prediction: required unless error is set',
    ],
    [
      'prediction of the wrong type',
      { ...good, prediction: { a: 1 } },
      'prediction: must be a number, a string or an array of numbers',
    ],
    ['bad event_id', { ...good, event_id: 'abc' }, 'event_id: must be a UUID'],
    ['tag that is not a string', { ...good, tags: { region: 5 } }, 'tags.region: must be a string'],
    [
      'empty error',
      { ...good, error: '' },
      'error: must not be empty; omit it when the prediction succeeded',
    ],
    ['unknown field', { ...good, latency: 5 }, 'latency: unknown field'],
    ['not an object', 'hello', 'event: must be an object'],
    ['null', null, 'event: must be an object'],
  ])('rejects %s', (_name, input, error) => {
    expect(validatePrediction(input)).toEqual({ ok: false, error });
  });

  it('gives exactly zod’s verdict on thousands of mutated events (the fast screen changes nothing)', () => {
    const rand = mulberry32(7);
    const values = [
      undefined,
      null,
      0,
      -1,
      1.5,
      'x',
      '',
      true,
      [],
      [1, 'a'],
      {},
      { a: 1 },
      '2026-01-01',
      'not-a-date',
      1e20,
      'a b',
    ];
    const keys = [
      'model',
      'version',
      'features',
      'prediction',
      'latency_ms',
      'error',
      'tags',
      'request_id',
      'event_id',
      'timestamp',
      'extra',
    ];
    for (let i = 0; i < 5_000; i++) {
      const event: Record<string, unknown> = structuredClone(good);
      for (let m = 0; m < 1 + Math.floor(rand() * 3); m++) {
        const key = keys[Math.floor(rand() * keys.length)]!;
        const value = values[Math.floor(rand() * values.length)];
        if (rand() < 0.3) event.features = { ...(event.features as object), [key]: value };
        else event[key] = value;
      }
      const fast = validatePrediction(event);
      const zod = predictionEvent.safeParse(event);
      expect(fast.ok).toBe(zod.success);
      if (fast.ok && zod.success) expect(fast.value).toEqual(zod.data);
    }
  });
});

describe('validateLabel', () => {
  it('needs event_id or request_id', () => {
    expect(validateLabel({ model: 'm', label: 1 })).toEqual({
      ok: false,
      error: 'event_id: event_id or request_id is required',
    });
    expect(validateLabel({ model: 'm', label: 'cat', request_id: 'r-1' })).toMatchObject({
      ok: true,
    });
    expect(validateLabel({ model: 'm', label: [1], request_id: 'r-1' })).toEqual({
      ok: false,
      error: 'label: must be a number or a string',
    });
  });
});
