import { randomUUID } from 'node:crypto';
import { PredictionTap } from '@osprey/ingest';
import { describe, expect, it } from 'vitest';
import { feedSource, sampleHash, toReplayRow } from './live-sources';

const event = (model: string, version: string, i: number) =>
  ({
    event_id: randomUUID(),
    timestamp: 1_795_000_000_000 + i,
    model,
    version,
    features: { sqm: 50 + i, garden: i % 2 === 0, city: 'Lyon' },
    prediction: i,
  }) as never;

describe('live sources', () => {
  it('builds rows as the table source reads them: numbers, booleans as 1/0, anything else NaN', () => {
    const row = toReplayRow(
      {
        event_id: 'e',
        timestamp: 5,
        model: 'm',
        version: 'v1',
        features: { sqm: 81.5, garden: true, city: 'Lyon', basement: null },
        prediction_num: 3,
        prediction_label: null,
      },
      ['garden', 'sqm', 'city', 'basement', 'missing'],
    );
    expect(row).toEqual({
      event_id: 'e',
      ts: 5,
      version: 'v1',
      x: [1, 81.5, NaN, NaN, NaN],
      prediction_num: 3,
      prediction_label: null,
    });
  });

  it("keeps the feed's events of the model and version, sampled by event id, and drops past capacity", async () => {
    const tap = new PredictionTap();
    const filter = { model: 'm', version: 'v1', sampleRate: 0.3, columns: ['sqm'] };
    const source = await feedSource(tap, filter, 100);
    const wanted = Array.from({ length: 200 }, (_, i) => event('m', 'v1', i));
    tap.publish([event('other', 'v1', 0), ...wanted.slice(0, 100), event('m', 'v2', 1)]);
    tap.publish(wanted.slice(100));
    const sampled = wanted.filter(
      (e: { event_id: string }) => sampleHash(e.event_id) < 0.3 * 2 ** 32,
    );
    expect(sampled.length).toBeGreaterThan(30);
    expect(sampled.length).toBeLessThan(100);
    const rows = [...(await source.next(50)), ...(await source.next(1000))];
    expect(rows.map((r) => r.event_id)).toEqual(
      sampled.map((e: { event_id: string }) => e.event_id),
    );
    expect(await source.next(10)).toEqual([]);
    expect(source.dropped).toBe(0);

    const small = await feedSource(tap, { ...filter, sampleRate: 1 }, 10);
    tap.publish(wanted.slice(0, 25));
    expect(await small.next(100)).toHaveLength(10);
    expect(small.dropped).toBe(15);
    await source.close();
    await small.close();
    tap.publish(wanted);
    expect(await small.next(100)).toEqual([]);
  });
});
