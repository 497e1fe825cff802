import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tables } from '@osprey/db';
import { detectWindow } from '../src/run/detect';
import { generateDriftData } from './generate';
import { openBenchStore } from './store';

const HOUR = 3_600_000;
const from = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const window = { from, to: from + HOUR };
const dir = mkdtempSync(join(tmpdir(), 'osprey-prof-'));
const store = await openBenchStore(dir);
await generateDriftData(store, { rows: 1000, numeric: 8, categorical: 3, from, models: 20, regions: 20 });
await store.command(`OPTIMIZE TABLE ${Tables.predictions} FINAL`);
await detectWindow(store, { model: 'bench-0', window });
const log: { what: string; ms: number }[] = [];
const wrap = (name: 'query' | 'command' | 'insert') => {
  const orig = (store as any)[name].bind(store);
  (store as any)[name] = async (...args: any[]) => {
    const t = performance.now();
    try { return await orig(...args); } finally {
      const sql = typeof args[0] === 'string' ? args[0] : String(args[0]);
      log.push({ what: `${name}: ${sql.replace(/\s+/g, ' ').slice(0, 110)}`, ms: performance.now() - t });
    }
  };
};
wrap('query'); wrap('command'); wrap('insert');
for (const m of ['bench-1', 'bench-2', 'bench-3']) { await detectWindow(store, { model: m, window }); }
log.length = 0;
const t = performance.now();
await detectWindow(store, { model: 'bench-0', window });
const total = performance.now() - t;
for (const l of log) console.log(l.ms.toFixed(1).padStart(7), l.what);
console.log('statements', log.length, 'sum', log.reduce((a, l) => a + l.ms, 0).toFixed(0), 'total', total.toFixed(0));
const t2 = performance.now();
for (let i = 0; i < 50; i++) await store.query('SELECT 1');
console.log('SELECT 1:', ((performance.now() - t2) / 50).toFixed(2), 'ms');
const t3 = performance.now();
for (let i = 0; i < 20; i++) await store.query(`SELECT count() FROM ${Tables.predictions} WHERE model = {m:String}`, { m: 'bench-5' });
console.log('count by model:', ((performance.now() - t3) / 20).toFixed(2), 'ms');
await store.close();
