import { describe, expect, it } from 'vitest';
import { predictionKind } from '../../events/event-kinds';
import { decodeRecord } from './decode';

const event = (features: string) =>
  `{"event_id":"6f1c1b9e-2d3a-4e5f-8a9b-0c1d2e3f4a5b","timestamp":1765000000000,"model":"m",` +
  `"version":"v1","features":${features},"prediction":1}`;

describe('decodeRecord', () => {
  it('dead-letters, as sent, an event in which two names become one once repaired, and keeps its neighbour', () => {
    const collided = event('{"f\\ud800":1,"f\\udbff":2}');
    const fine = event('{"g\\ud800":3}').replace('6f1c1b9e', '7f1c1b9e');
    const decoded = decodeRecord(predictionKind, {
      value: Buffer.from(`[${collided},${fine}]`),
      headers: {},
    });
    expect(decoded.rows).toBe(1);
    expect(decoded.body!.toString()).toContain('"g\ufffd"');
    expect(decoded.dead).toHaveLength(1);
    expect(decoded.dead[0]!.index).toBe(0);
    expect(decoded.dead[0]!.error).toMatch(
      /^features: the names "f\\ud800" and "f\\udbff" are both/,
    );
    expect(JSON.parse(decoded.dead[0]!.value.toString())).toEqual(JSON.parse(collided));
  });
});
