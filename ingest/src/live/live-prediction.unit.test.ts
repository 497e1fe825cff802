import { describe, expect, it, vi } from 'vitest';
import { predictionKind, rowLine, type Normalized } from '../events/event-kinds';
import type { PredictionEvent } from '../contract/prediction';
import { fromEvent, fromRowLine } from './live-prediction';
import { PredictionTap } from './prediction-tap';

const event = (over: Partial<PredictionEvent> = {}) =>
  ({
    event_id: '3f8e0c1a-5b0e-4a57-9f3b-0c6f8b6d2a11',
    timestamp: 1_795_000_000_123,
    model: 'houses',
    version: 'v3',
    features: { sqm: 81.5, rooms: 3, city: 'Lyon', garden: true, basement: null },
    prediction: 412_000.25,
    ...over,
  }) as Normalized<PredictionEvent> & { event_id: string };

describe('LivePrediction', () => {
  it('reads the same prediction back from a rows/1 line as the tap hands out', () => {
    for (const e of [event(), event({ prediction: 'above' }), event({ features: {} })]) {
      const fromLine = fromRowLine(rowLine(predictionKind, e));
      const { basement: _null, ...stored } = e.features;
      // A null feature is not stored as a value (null_features), so it reads back absent.
      expect(fromLine).toEqual({ ...fromEvent(e), features: stored });
    }
    expect(fromEvent(event({ prediction: 'above' }))).toMatchObject({
      prediction_num: null,
      prediction_label: 'above',
    });
  });
});

describe('PredictionTap', () => {
  it('hands stored predictions to every listener, and a failing listener to the log only', async () => {
    const error = vi.fn();
    const tap = new PredictionTap({ error } as never);
    const seen: string[] = [];
    const unsubscribe = await tap.subscribe((events) =>
      seen.push(...events.map((e) => e.event_id)),
    );
    await tap.subscribe(() => {
      throw new Error('listener bug');
    });
    expect(() => tap.publish([event()])).not.toThrow();
    expect(seen).toEqual([event().event_id]);
    expect(error).toHaveBeenCalledTimes(1);
    await unsubscribe();
    tap.publish([event()]);
    expect(seen).toHaveLength(1);
  });
});
