import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tables } from '@osprey/db';
import { generateDriftData } from './generate';
import { openBenchStore } from './store';
const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const store = await openBenchStore(mkdtempSync(join(tmpdir(), 'osprey-gran-')));
const M = Number(process.env.M ?? 200);
await generateDriftData(store, { rows: 1000, numeric: 8, categorical: 3, from, models: M, regions: 20 });
await store.command(`OPTIMIZE TABLE ${Tables.predictions} FINAL`);
for (const g of [1024, 256]) {
  await store.command(`CREATE TABLE p${g} AS ${Tables.predictions} ENGINE = MergeTree PARTITION BY toDate(timestamp) ORDER BY (model, version, timestamp) SETTINGS index_granularity = ${g}`);
  await store.command(`INSERT INTO p${g} SELECT * FROM ${Tables.predictions}`);
  await store.command(`OPTIMIZE TABLE p${g} FINAL`);
}
const q = (t: string) => `SELECT CAST(k, 'String') AS k, v, count() AS n FROM (SELECT * FROM ${t} WHERE model = {m:String} AND timestamp >= fromUnixTimestamp64Milli({f:Int64}, 'UTC') AND timestamp < fromUnixTimestamp64Milli({t:Int64}, 'UTC')) ARRAY JOIN mapKeys(cat_features) AS k, mapValues(cat_features) AS v GROUP BY k, v`;
const qn = (t: string) => `SELECT count(), avg(latency_ms), quantilesExactLow(0.5,0.9)(latency_ms) FROM ${t} WHERE model = {m:String} AND timestamp >= fromUnixTimestamp64Milli({f:Int64}, 'UTC') AND timestamp < fromUnixTimestamp64Milli({t:Int64}, 'UTC')`;
for (let round = 0; round < 3; round++) {
  for (const t of [Tables.predictions, 'p1024', 'p256']) {
    for (const [name, sql] of [['cat', q(t)], ['lat', qn(t)]] as const) {
      const s = performance.now();
      for (let i = 0; i < 50; i++) await store.query(sql, { m: `bench-${i}`, f: from, t: from + HOUR });
      console.log(round, t.padEnd(12), name, ((performance.now() - s) / 50).toFixed(2), 'ms');
    }
  }
}
const s = performance.now();
for (let i = 0; i < 50; i++) await store.query('SELECT 1');
console.log('select 1', ((performance.now() - s) / 50).toFixed(2));
await store.close();
