import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../migrate/migrate';
import type { Store } from '../store/store';
import { storeBackends } from '../store/test-backends';
import { replaySliceColumns, sampleBound } from './replay-columns';
import { replaySlice } from './shadow';

const T0 = Date.parse('2026-04-01T00:00:00Z');
const N = 300;
const FEATURES = ['a', 'flag', 'missing', 'b'];

describe.each(storeBackends('replay columns suite'))(
  'replay slices as columns on $name',
  ({ open }) => {
    let store: Store;
    const dir = mkdtempSync(join(tmpdir(), 'osprey-replay-columns-'));
    const range = { model: 'cols', from: T0, to: T0 + N * 1000 };

    beforeAll(async () => {
      store = await open(dir);
      await migrate(store, { retentionDays: 3650 });
      await store.insert(
        'predictions',
        Array.from({ length: N }, (_, i) => ({
          event_id: randomUUID(),
          timestamp: T0 + Math.floor(i / 3) * 1000, // ties: ordered by event_id too
          model: 'cols',
          version: i % 5 === 0 ? 'v1' : 'vé-2',
          num_features: { a: i * 0.25 - 7, ...(i % 4 ? { b: 1e300 / (i + 1) } : {}) },
          bool_features: i % 7 === 0 ? {} : { flag: i % 2 === 0 },
          cat_features: { missing: 'text, not a number' },
          prediction_num: i % 6 === 0 ? null : i * 1.5,
          prediction_label: i % 9 === 0 ? null : `label ${i % 3} ✓`,
          error: i === 17 ? 'boom' : '',
        })),
      );
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers the same events, values and order as the JSON reader', async () => {
      const slice = { from: T0 + 10_000, to: T0 + 90_000 };
      const rows = (await replaySlice(store, range, FEATURES, slice, 1000))!;
      const cols = (await replaySliceColumns(store, range, FEATURES, slice, 1000, sampleBound(1)))!;
      expect(rows.length).toBeGreaterThan(200);
      expect(cols.n).toBe(rows.length);
      expect(cols.k).toBe(FEATURES.length);
      rows.forEach((r, i) => {
        expect(cols.eventId(i)).toBe(r.event_id);
        expect(cols.ts[i]).toBe(r.ts);
        expect(cols.version[i]).toBe(r.version);
        expect(Array.from(cols.x.subarray(i * 4, i * 4 + 4))).toEqual(r.x);
        expect(cols.predictionNumNull[i] === 1 ? null : cols.predictionNum[i]).toBe(
          r.prediction_num,
        );
        expect(cols.predictionLabel[i]).toBe(r.prediction_label);
        expect(cols.sampled[i]).toBe(1);
      });
    });

    it('answers undefined for a slice fuller than maxRows, and an empty slice as no rows', async () => {
      expect(
        await replaySliceColumns(store, range, FEATURES, range, 50, sampleBound(1)),
      ).toBeUndefined();
      const empty = await replaySliceColumns(
        store,
        range,
        FEATURES,
        { from: T0 - 5000, to: T0 },
        50,
        sampleBound(1),
      );
      expect(empty?.n).toBe(0);
    });

    it('marks the sample by cityHash64(event_id), the order the dashboard scatter reads', async () => {
      const cols = (await replaySliceColumns(store, range, [], range, 1000, sampleBound(0.3)))!;
      const hashes = await store.query<{ id: string; h: string }>(
        `SELECT toString(event_id) AS id, toString(cityHash64(event_id)) AS h FROM predictions
       WHERE model = 'cols' AND error = ''`,
      );
      const bound = sampleBound(0.3);
      const expected = new Map(hashes.map((r) => [r.id, BigInt(r.h) <= bound ? 1 : 0]));
      const got = Array.from({ length: cols.n }, (_, i) => cols.sampled[i]);
      expect(got).toEqual(Array.from({ length: cols.n }, (_, i) => expected.get(cols.eventId(i))));
      const share = got.filter((s) => s === 1).length / cols.n;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.45);
    });
  },
);
