import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSettings } from '../settings/model-settings';
import { detectThroughput } from './operational';

// Throughput reads only the minutes that had traffic and counts the silent ones. The minutes it
// must arrive at are those ClickHouse's WITH FILL lists (every minute start from the first event's
// minute to the end's), which is how it was computed before: that query is the oracle here, on
// windows on and off the minute, short ones, and models with and without history.
const HOUR = 3_600_000;
const base = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'osprey-throughput-'));
let store: Store;

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  await migrate(store, { retentionDays: 90 });
  // 'busy': bursts with silent gaps over four hours; 'new': traffic in the last hour only.
  const at = (model: string, t: number) => ({
    event_id: randomUUID(),
    timestamp: t,
    model,
    version: 'v1',
    prediction_num: 1,
  });
  const busy = Array.from({ length: 900 }, (_, i) =>
    at('busy', base + 7_919 * i + ((i * 104_729) % 60_000) * (i % 5 === 0 ? 3 : 1)),
  ).filter(
    (e) =>
      e.timestamp < base + 4 * HOUR &&
      // Silent stretches: twenty minutes in the history, ten straddling a window's start.
      !(e.timestamp >= base + HOUR && e.timestamp < base + HOUR + 20 * 60_000) &&
      !(e.timestamp >= base + 2 * HOUR - 5 * 60_000 && e.timestamp < base + 2 * HOUR + 5 * 60_000),
  );
  const fresh = Array.from({ length: 120 }, (_, i) => at('new', base + 3 * HOUR + 29_000 * i));
  await store.insert(Tables.predictions, [...busy, ...fresh]);
}, 60_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Per-minute counts of the window and of its history, as the former WITH FILL query gave them. */
async function filledMinutes(model: string, window: { from: number; to: number }) {
  const counted = await store.query<{ m: number; c: number }>(
    `SELECT toUnixTimestamp(toStartOfMinute(timestamp)) AS m, count() AS c FROM ${Tables.predictions}
     WHERE model = {model:String}
       AND timestamp >= fromUnixTimestamp64Milli({history_from:Int64}, 'UTC')
       AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
     GROUP BY m ORDER BY m WITH FILL
       FROM toUnixTimestamp(toStartOfMinute(ifNull(
         (SELECT min(timestamp) FROM ${Tables.predictions}
          WHERE model = {model:String} AND timestamp >= fromUnixTimestamp64Milli({history_from:Int64}, 'UTC')
            AND timestamp < fromUnixTimestamp64Milli({from:Int64}, 'UTC') HAVING count() > 0),
         fromUnixTimestamp64Milli({from:Int64}, 'UTC'))))
       TO toUnixTimestamp(toStartOfMinute(fromUnixTimestamp64Milli({to:Int64}, 'UTC'))) STEP 60`,
    { model, history_from: window.from - 7 * 86_400_000, ...window },
  );
  const split = Math.floor(window.from / 1000);
  return {
    current: counted.filter((r) => Number(r.m) >= split).map((r) => Number(r.c)),
    history: counted.filter((r) => Number(r.m) < split).map((r) => Number(r.c)),
  };
}

const windows = {
  'on the hour': { from: base + 3 * HOUR, to: base + 4 * HOUR },
  'off the minute at both ends': { from: base + 2 * HOUR + 12_345, to: base + 3 * HOUR + 45_678 },
  'within one minute': { from: base + 2 * HOUR + 10_500, to: base + 2 * HOUR + 50_250 },
  'before any traffic': { from: base - HOUR, to: base },
  'after all traffic': { from: base + 5 * HOUR, to: base + 6 * HOUR },
};

describe('throughput', () => {
  it('is checked on history with silent minutes', async () => {
    const { history } = await filledMinutes('busy', windows['on the hour']);
    expect(history.filter((c) => c === 0).length).toBeGreaterThanOrEqual(30);
  });

  for (const model of ['busy', 'new']) {
    for (const [name, window] of Object.entries(windows)) {
      it(`counts the minutes WITH FILL lists: ${model}, ${name}`, async () => {
        const expected = await filledMinutes(model, window);
        const [detected] = await detectThroughput(store, [
          { scope: { model, window }, settings: modelSettings.parse({}) },
        ]);
        const { document } = detected!;
        const total = expected.current.reduce((a, b) => a + b, 0);
        expect(document.count).toBe(total);
        expect(document.per_minute).toEqual({
          mean: expected.current.length === 0 ? 0 : total / expected.current.length,
          min: expected.current.length === 0 ? 0 : Math.min(...expected.current),
          max: expected.current.length === 0 ? 0 : Math.max(...expected.current),
        });
        expect(document.usual?.minutes ?? 0).toBe(expected.history.length);
        if (expected.history.length > 0) {
          const sorted = [...expected.history].sort((a, b) => a - b);
          expect(document.usual!.p50).toBe(
            (sorted[Math.floor((sorted.length - 1) / 2)]! +
              sorted[Math.ceil((sorted.length - 1) / 2)]!) /
              2,
          );
        }
      });
    }
  }
});
