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
import { listModels } from '../queries/models';
import { aggregateSeries, type SeriesAggregate } from './series';

// The rollups (0042–0047) against predictions itself: backfilled on migration, fed through the
// landing table's views, not counted twice for a redelivered block, retained like predictions.
let store: Store;
/** Two days ago at 00:00 UTC: recent enough for the retention TTL. */
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;

/** `n` predictions of two models from `start`, one every 997 ms, through predictions_landing. */
function logged(n: number, start: number, token?: string) {
  return store.command(
    `INSERT INTO ${Tables.predictionsLanding}
     (event_id, timestamp, model, version, latency_ms, error, tags, request_id)
     ${token ? `SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1` : ''}
     SELECT generateUUIDv4(), fromUnixTimestamp64Milli(toInt64({start:Int64} + number * 997), 'UTC'),
            if(number % 3 = 0, 'a', 'b'), concat('v', toString(number % 2)),
            if(number % 11 = 0, NULL, 1 + (number * 7919 % 1000) / 10),
            if(number % 13 = 0, 'boom', ''), map('region', if(number % 4 = 0, 'eu', 'us')), ''
     FROM numbers({n:UInt64})`,
    { start, n },
  );
}

const sorted = (rows: SeriesAggregate[]) =>
  [...rows].sort((x, y) => x.model.localeCompare(y.model) || x.bucket - y.bucket);

/** The same aggregates read through the rollups and from raw rows only. */
async function both(q: Omit<Parameters<typeof aggregateSeries>[1], 'source'>) {
  const [auto, raw] = await Promise.all([
    aggregateSeries(store, q),
    aggregateSeries(store, { ...q, source: 'raw' }),
  ]);
  return { auto: sorted(auto), raw: sorted(raw) };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osprey-rollups-'));
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir }));
  // Data stored before the rollups existed, then the rollup migrations with their backfill. The
  // minute backfill runs twice, as after a crash between its insert and its record: the rerun
  // must be deduplicated by the insert's token.
  const all = loadMigrations();
  await migrate(store, { retentionDays: 90, migrations: all.filter((m) => m.version < 42) });
  await logged(9_000, T0);
  await migrate(store, { retentionDays: 90, migrations: all.filter((m) => m.version < 44) });
  await store.command(all.find((m) => m.version === 44)!.sql);
  await migrate(store, { retentionDays: 90 });
  await logged(4_000, T0 + 9_000 * 997);
}, 60_000);
afterAll(() => store?.close());

describe('prediction rollups', () => {
  it('backfill (run twice) and views together count every prediction once', async () => {
    for (const table of [Tables.predictions1m, Tables.predictions1h]) {
      const [rollup] = await store.query<{ n: string; e: string }>(
        `SELECT sum(events) AS n, sum(errors) AS e FROM ${table}`,
      );
      const [raw] = await store.query<{ n: string; e: string }>(
        `SELECT count() AS n, countIf(is_error) AS e FROM ${Tables.predictions}`,
      );
      expect(rollup).toEqual(raw);
      expect(Number(raw!.n)).toBe(13_000);
    }
  });

  it('answers exactly what raw rows answer, whatever the range and step', async () => {
    const from = T0 + 37_123;
    const to = T0 + 13_000 * 997 - 5_000;
    for (const stepMs of [MINUTE_MS, 7 * MINUTE_MS, HOUR_MS, 90_000]) {
      const { auto, raw } = await both({ from, to, grid: { origin: 0, num: 1, den: stepMs } });
      expect(auto).toEqual(raw);
    }
    const totals = await both({ from, to, grid: { origin: 0, num: 0, den: 1 }, model: 'a' });
    expect(totals.auto).toEqual(totals.raw);
    expect(totals.auto).toHaveLength(1);
    const v1 = await both({ from, to, grid: { origin: 0, num: 1, den: HOUR_MS }, version: 'v1' });
    expect(v1.auto).toEqual(v1.raw);
    // An aligned sparkline is exact; an unaligned one keeps its totals.
    const aligned = { origin: T0, num: 6, den: 3 * HOUR_MS };
    const spark = await both({ from: T0, to: T0 + 3 * HOUR_MS, grid: aligned, quantiles: false });
    expect(spark.auto).toEqual(spark.raw);
    const loose = await both({
      from,
      to,
      grid: { origin: from, num: 7, den: to - from },
      approximate: true,
    });
    const sum = (rows: SeriesAggregate[]) => rows.reduce((n, r) => n + r.count, 0);
    expect(sum(loose.auto)).toBe(sum(loose.raw));
    expect(loose.auto.length).toBe(loose.raw.length);
  });

  it('does not count a redelivered block twice', async () => {
    const before = await totalEvents();
    await logged(500, T0 + 20 * HOUR_MS, 'batch-7');
    await logged(500, T0 + 20 * HOUR_MS, 'batch-7');
    expect(await totalEvents()).toEqual({
      raw: before.raw + 500,
      m: before.m + 500,
      h: before.h + 500,
    });
  });

  it('lists models and versions, and keeps the retention of predictions', async () => {
    const models = await listModels(store);
    expect(models.map((m) => [m.model, m.versions])).toEqual([
      ['a', ['v0', 'v1']],
      ['b', ['v0', 'v1']],
    ]);
    expect(models).toEqual(await listModels(store, { raw: true }));
    await migrate(store, { retentionDays: 7 });
    const ttl = await store.query<{ name: string; q: string }>(
      `SELECT name, create_table_query AS q FROM system.tables
       WHERE database = currentDatabase() AND name IN ('predictions_1m', 'predictions_1h')`,
    );
    expect(ttl).toHaveLength(2);
    for (const t of ttl) expect(t.q).toContain('toIntervalDay(7)');
  });
});

async function totalEvents(): Promise<{ raw: number; m: number; h: number }> {
  const [r] = await store.query<{ raw: string; m: string; h: string }>(
    `SELECT (SELECT count() FROM ${Tables.predictions}) AS raw,
            (SELECT sum(events) FROM ${Tables.predictions1m}) AS m,
            (SELECT sum(events) FROM ${Tables.predictions1h}) AS h`,
  );
  return { raw: Number(r!.raw), m: Number(r!.m), h: Number(r!.h) };
}
