import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEnv } from '../config';
import { loadMigrations, migrate } from '../migrate/migrate';
import { createStore } from '../store/create-store';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { HOUR_MS, MINUTE_MS } from './cover';
import { backfillSegmentRollups, segmentRolledUp } from './segments';
import { aggregateSeries, type SeriesAggregate } from './series';

// The segment rollups (0050–0054) against raw rows: backfilled on migration for the keys then
// configured, fed by the view for configured keys only, backfilled when a key is configured later,
// and read by aggregateSeries with the same answers as raw rows.
let store: Store;
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
const SPACING = 997;

/** `n` predictions of models a and b from `start`, tagged region (eu/us/apac) and channel. */
function logged(n: number, start: number) {
  return store.command(
    `INSERT INTO ${Tables.predictionsLanding}
     (event_id, timestamp, model, version, latency_ms, error, tags, request_id)
     SELECT generateUUIDv4(), fromUnixTimestamp64Milli(toInt64({start:Int64} + number * ${SPACING}), 'UTC'),
            if(number % 3 = 0, 'a', 'b'), concat('v', toString(number % 2)),
            if(number % 11 = 0, NULL, 1 + (number * 7919 % 1000) / 10),
            if(number % 13 = 0, 'boom', ''),
            map('region', ['eu', 'us', 'apac'][1 + number % 5 % 3], 'channel', if(number % 4 = 0, 'app', 'web')),
            ''
     FROM numbers({n:UInt64})`,
    { start, n },
  );
}

function configure(model: string, segments: string[]) {
  return store.insert(Tables.modelSettings, [
    { model, settings: JSON.stringify({ segments }), updated_by: 'test' },
  ]);
}

const sorted = (rows: SeriesAggregate[]) =>
  [...rows].sort((x, y) => x.model.localeCompare(y.model) || x.bucket - y.bucket);

async function both(q: Omit<Parameters<typeof aggregateSeries>[1], 'source'>) {
  const [auto, raw] = await Promise.all([
    aggregateSeries(store, q),
    aggregateSeries(store, { ...q, source: 'raw' }),
  ]);
  return { auto: sorted(auto), raw: sorted(raw) };
}

/** Events per (model, tag, value) in a segment rollup table and in raw rows. */
async function counts(table: string, model: string, tag: string) {
  const rolled = await store.query<{ value: string; n: string }>(
    `SELECT value, toString(sum(events)) AS n FROM ${table}
     WHERE model = {model:String} AND tag = {tag:String} GROUP BY value ORDER BY value`,
    { model, tag },
  );
  const raw = await store.query<{ value: string; n: string }>(
    `SELECT tags[{tag:String}] AS value, toString(count()) AS n FROM ${Tables.predictions}
     WHERE model = {model:String} AND mapContains(tags, {tag:String}) GROUP BY value ORDER BY value`,
    { model, tag },
  );
  return { rolled, raw };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osprey-segment-rollups-'));
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  // Before the segment rollups: model a configures region; data is logged. Then the migrations
  // backfill a's region; then more data arrives through the view.
  await migrate(store, {
    retentionDays: 90,
    migrations: loadMigrations().filter((m) => m.version < 50),
  });
  await configure('a', ['region']);
  await logged(6_000, T0);
  await migrate(store, { retentionDays: 90 });
  await logged(3_000, T0 + 6_000 * SPACING);
}, 60_000);
afterAll(() => store?.close());

describe('segment rollups', () => {
  it('hold every prediction of a configured key once, backfilled and live, minutes and hours', async () => {
    for (const table of [Tables.predictionsSegments1m, Tables.predictionsSegments1h]) {
      const { rolled, raw } = await counts(table, 'a', 'region');
      expect(rolled.map((r) => r.value)).toEqual(['apac', 'eu', 'us']);
      expect(rolled).toEqual(raw);
    }
    // Keys not configured are not rolled up.
    expect((await counts(Tables.predictionsSegments1m, 'a', 'channel')).rolled).toEqual([]);
    expect((await counts(Tables.predictionsSegments1m, 'b', 'region')).rolled).toEqual([]);
    expect(await segmentRolledUp(store, 'a', 'region')).toBe(true);
    expect(await segmentRolledUp(store, 'b', 'region')).toBe(false);
  });

  it('answers a segment exactly as raw rows do, whatever the range and step', async () => {
    const from = T0 + 37_123;
    const to = T0 + 9_000 * SPACING - 5_000;
    const segment = { tag: 'region', value: 'eu' };
    for (const stepMs of [MINUTE_MS, 7 * MINUTE_MS, HOUR_MS, 90_000]) {
      const { auto, raw } = await both({
        from,
        to,
        grid: { origin: 0, num: 1, den: stepMs },
        model: 'a',
        segment,
      });
      expect(auto.length).toBeGreaterThan(1);
      expect(auto).toEqual(raw);
    }
    const totals = await both({
      from,
      to,
      grid: { origin: 0, num: 0, den: 1 },
      model: 'a',
      segment,
    });
    expect(totals.auto).toEqual(totals.raw);
    expect(totals.auto[0]!.count).toBeGreaterThan(500);
    const v1 = await both({
      from,
      to,
      grid: { origin: 0, num: 1, den: HOUR_MS },
      model: 'a',
      version: 'v1',
      segment: { tag: 'region', value: 'apac' },
    });
    expect(v1.auto).toEqual(v1.raw);
  });

  it('backfills a key configured later once, and the view then takes it', async () => {
    await configure('b', ['channel']);
    await backfillSegmentRollups(store, { model: 'b', tag: 'channel' });
    // A second call for the same configuration is deduplicated.
    await backfillSegmentRollups(store, { model: 'b', tag: 'channel' });
    await logged(2_000, T0 + 9_000 * SPACING);
    for (const table of [Tables.predictionsSegments1m, Tables.predictionsSegments1h]) {
      const { rolled, raw } = await counts(table, 'b', 'channel');
      expect(rolled.map((r) => r.value)).toEqual(['app', 'web']);
      expect(rolled).toEqual(raw);
    }
    // Removing the key keeps it rolled up: adding it back never counts a row twice.
    await configure('b', []);
    await logged(1_000, T0 + 11_000 * SPACING);
    await configure('b', ['channel']);
    await backfillSegmentRollups(store, { model: 'b', tag: 'channel' });
    const { rolled, raw } = await counts(Tables.predictionsSegments1h, 'b', 'channel');
    expect(rolled).toEqual(raw);
    const range = { from: T0, to: T0 + 13 * HOUR_MS, grid: { origin: 0, num: 1, den: HOUR_MS } };
    const series = await both({ ...range, model: 'b', segment: { tag: 'channel', value: 'app' } });
    expect(series.auto).toEqual(series.raw);
  });
});
