import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  AGREE_NULL,
  insertShadowBatches,
  replaySlice,
  replaySliceColumns,
  sampleBound,
  shadowEvents,
  storeEnv,
  type Store,
} from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { startStandinProcess, type StandinProcess } from '../support/clickhouse-standin-process';

// The product's ClickHouse backend (@clickhouse/client over HTTP) against the TEST-ONLY stand-in:
// what the distributed tests rely on, and the product's HTTPS-with-a-CA-bundle path.
describe.each([
  { name: 'HTTP', tls: false },
  { name: 'HTTPS with CLICKHOUSE_CA_FILE', tls: true },
])('ClickHouse store over $name to the chDB stand-in', ({ tls }) => {
  let standin: StandinProcess;
  let store: Store;
  const credentials = { CLICKHOUSE_USER: 'osprey', CLICKHOUSE_PASSWORD: 's3cr3t' };

  beforeAll(async () => {
    standin = await startStandinProcess({ tls, user: 'osprey', password: 's3cr3t' });
    store = await createStore(
      storeEnv.parse({
        CLICKHOUSE_URL: standin.url,
        ...credentials,
        ...(standin.caFile ? { CLICKHOUSE_CA_FILE: standin.caFile } : {}),
      }),
    );
    await migrate(store, { retentionDays: 30 });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await standin?.stop();
  });

  it('migrates once: a second run applies nothing', async () => {
    expect((await migrate(store, { retentionDays: 30 })).applied).toEqual([]);
  });

  it('binds parameters with quotes, escapes, arrays and nulls exactly', async () => {
    const tricky = "m'; DROP TABLE predictions; --\t\\n\n'";
    const [row] = await store.query<Record<string, unknown>>(
      'SELECT {s:String} AS s, {a:Array(String)} AS a, {n:Nullable(String)} AS n, {i:Int64} AS i',
      { s: tricky, a: [tricky, 'b'], n: null, i: 42 },
    );
    expect(row).toEqual({ s: tricky, a: [tricky, 'b'], n: null, i: '42' });
  });

  it('applies a deduplication token to its own insert only', async () => {
    const line = (id: string) =>
      Buffer.from(
        JSON.stringify({
          model: `dedup-${tls}`,
          request_id: id,
          label_num: 1,
          timestamp: Date.now(),
        }),
      );
    await store.insertJsonLines('labels', line('a'), { deduplicationToken: 'tok-1' });
    await store.insertJsonLines('labels', line('a'), { deduplicationToken: 'tok-1' });
    await store.insertJsonLines('labels', line('b'));
    await store.insertJsonLines('labels', line('b'));
    const [row] = await store.query<{ n: string }>(
      'SELECT count() AS n FROM labels WHERE model = {m:String}',
      { m: `dedup-${tls}` },
    );
    expect(Number(row!.n)).toBe(3);
  });

  it('serves concurrent parameterised queries without mixing their parameters', async () => {
    const values = Array.from({ length: 24 }, (_, i) => `v${i}`);
    const rows = await Promise.all(
      values.map((v) => store.query<{ v: string }>('SELECT {v:String} AS v', { v })),
    );
    expect(rows.map((r) => r[0]!.v)).toEqual(values);
  });

  it('refuses writes on the read-only path, with ClickHouse error code and name', async () => {
    await expect(store.queryReadOnly('SELECT count() AS n FROM labels')).resolves.toHaveLength(1);
    await expect(
      store.queryReadOnly("INSERT INTO labels (model) VALUES ('x')"),
    ).rejects.toMatchObject({ name: 'StoreError', code: 164, type: 'READONLY' });
    await expect(store.query('SELECT nope FROM labels')).rejects.toMatchObject({
      name: 'StoreError',
      code: 47,
      type: 'UNKNOWN_IDENTIFIER',
    });
  });

  it('refuses a wrong password', async () => {
    const wrong = await createStore(
      storeEnv.parse({
        CLICKHOUSE_URL: standin.url,
        CLICKHOUSE_USER: 'osprey',
        CLICKHOUSE_PASSWORD: 'wrong',
        ...(standin.caFile ? { CLICKHOUSE_CA_FILE: standin.caFile } : {}),
      }),
    );
    await expect(wrong.query('SELECT 1')).rejects.toMatchObject({ code: 516 });
    await wrong.close();
  });

  it('carries the shadow runner binary paths: RowBinary results and RowBinary inserts', async () => {
    // Within the 30 days of retention this store was migrated with.
    const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const range = { model: 'binary', from: T0, to: T0 + 100_000 };
    await store.insert(
      'predictions',
      Array.from({ length: 40 }, (_, i) => ({
        event_id: randomUUID(),
        timestamp: T0 + i * 1000,
        model: 'binary',
        version: i % 2 ? 'v1' : 'vé',
        num_features: { a: i / 3 },
        bool_features: { b: i % 3 === 0 },
        prediction_num: i % 5 ? i * 2 : null,
        prediction_label: i % 4 ? null : `l${i}`,
      })),
    );
    const rows = (await replaySlice(store, range, ['a', 'b'], range, 100))!;
    const cols = (await replaySliceColumns(store, range, ['a', 'b'], range, 100, sampleBound(1)))!;
    expect(cols.n).toBe(40);
    expect(
      rows.map((r, i) => [
        cols.eventId(i),
        cols.ts[i],
        cols.version[i],
        [cols.x[2 * i], cols.x[2 * i + 1]],
        cols.predictionNumNull[i] ? null : cols.predictionNum[i],
        cols.predictionLabel[i],
      ]),
    ).toEqual(
      rows.map((r) => [r.event_id, r.ts, r.version, r.x, r.prediction_num, r.prediction_label]),
    );

    const run = randomUUID();
    const n = cols.n;
    await insertShadowBatches(store, [
      {
        run_id: run,
        batch: 0,
        model: 'binary',
        candidate_version: 'v2',
        batch_ms: 1.5,
        n,
        timestamp: cols.ts,
        production_version: cols.version,
        production_num: cols.predictionNum,
        production_label: cols.predictionLabel,
        candidate_num: cols.x.filter((_, j) => j % 2 === 0),
        candidate_label: cols.predictionLabel.map((l) => (l === null ? null : `${l} ✓`)),
        abs_diff: new Float64Array(n).fill(0.5),
        agree: new Uint8Array(n).map((_, i) => (i % 3 === 0 ? AGREE_NULL : i % 2)),
        label_num: new Float64Array(n).map((_, i) => (i < 5 ? i : NaN)),
        label_str: cols.predictionLabel,
      },
    ]);
    const back = await store.query<{
      n: string;
      pn: string;
      agree: string;
      labels: string;
      l: string;
    }>(
      `SELECT count() AS n, countIf(production_num IS NULL) AS pn, sum(agree) AS agree,
         countIf(label_num IS NOT NULL) AS labels, any(candidate_label) AS l
       FROM ${shadowEvents('run')}`,
      { id: run },
    );
    expect(back[0]).toMatchObject({ n: '40', pn: '8', labels: '5' });
    expect(Number(back[0]!.agree)).toBe(
      Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 0 : i % 2)).reduce((a, b) => a + b, 0),
    );
  });

  it.runIf(tls)('refuses the server without the CA that signed its certificate', async () => {
    const untrusted = await createStore(
      storeEnv.parse({ CLICKHOUSE_URL: standin.url, ...credentials }),
    );
    await expect(untrusted.query('SELECT 1')).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
    await untrusted.close();
  });
});
