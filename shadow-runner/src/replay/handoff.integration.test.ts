import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@osprey/db';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openShadowStore } from '../testing/shadow-store';
import { liveRunRequest, shadowRunRequest } from '../api';
import type { InferencePool } from '../inference/pool';
import type { Models } from '../models';
import { FIXTURE_MODELS, HOUSE_FEATURES } from '../testing/python';
import { HANDED_OVER_ERROR, ShadowRunner } from './runner';

// Two shared runners over one store, the group's assignment played by `owner` (the Kafka side is
// tested in test/deploy/shadow-replicas.integration.test.ts): what each does when a model moves.

const dir = mkdtempSync(join(tmpdir(), 'osprey-handoff-'));
const N = 400;
let store: Store;
let models: Models;
let pool: InferencePool;
let owner = 'a';
const logs: Record<string, { msg: string; run?: string; resume?: boolean }[]> = { a: [], b: [] };
const runners: Record<string, ShadowRunner> = {};

function runner(name: string): ShadowRunner {
  return new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: pino(
      { level: 'info' },
      { write: (line: string) => logs[name]!.push(JSON.parse(line)) },
    ),
    pollMs: 60_000,
    progressMs: 0,
    liveTickMs: 50,
    share: { owns: () => owner === name, announce: async () => undefined },
  });
}

async function logEvents(n: number, at: (i: number) => number): Promise<string[]> {
  const rows = Array.from({ length: n }, (_, i) => ({
    event_id: randomUUID(),
    timestamp: at(i),
    model: 'houses',
    version: 'v1',
    num_features: Object.fromEntries(HOUSE_FEATURES.slice(0, 5).map((f, j) => [f, i + j])),
    bool_features: { has_garden: i % 2 === 0 },
    prediction_num: 100_000 + i,
  }));
  await store.insert('predictions', rows);
  return rows.map((r) => r.event_id);
}

async function until(what: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const logged = (name: string, msg: string, run: string) =>
  logs[name]!.some((e) => e.msg === msg && e.run === run);

async function resultRows(id: string): Promise<number> {
  const rows = await store.query<{ n: string }>(
    `SELECT count() AS n FROM shadow_results WHERE run_id = toUUID({id:String})`,
    { id },
  );
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  ({ store, models, pool } = await openShadowStore(dir));
  runners.a = runner('a');
  runners.b = runner('b');
  await models.registry.push({
    model: 'houses',
    version: 'v1',
    body: readFileSync(join(FIXTURE_MODELS, 'house_price_linear.onnx')),
    features: HOUSE_FEATURES,
    actor: 't',
  });
});

afterAll(async () => {
  await Promise.all(Object.values(runners).map((r) => r.stop()));
  await pool?.close();
  await store?.close();
});

it('a replay stops between two batches when a rebalance begins; the next owner fails it', async () => {
  const from = Date.now() - 3_600_000;
  await logEvents(N, (i) => from + i * 1000);
  const request = shadowRunRequest.parse({
    candidate_version: 'v1',
    from,
    to: from + N * 1000,
    batch_size: 10,
  });
  const first = await models.shadow.create('houses', request, 't');
  const second = await models.shadow.create('houses', request, 't');
  // The group's heartbeat throws once a rebalance has begun. Checkpoints come before the run,
  // after loading the candidate, then after each batch: the sixth follows the fourth batch.
  const rebalance = new Error('The group is rebalancing, so a rejoin is needed');
  let checkpoints = 0;
  await expect(
    runners.a!.runModel('houses', async () => {
      if (++checkpoints === 6) throw rebalance;
    }),
  ).rejects.toBe(rebalance);
  expect(logged('a', 'shadow run handed off', first.id)).toBe(true);
  expect(await models.shadow.require(first.id)).toMatchObject({ status: 'running' });
  expect(await resultRows(first.id)).toBe(40); // four batches, flushed before giving up
  expect((await models.shadow.require(second.id)).status).toBe('queued');

  // The old owner, polling, leaves the run alone: the model is no longer its.
  owner = 'b';
  runners.a!.start();
  // The new owner's poll fails it; its handler runs the next queued replay to the end.
  runners.b!.start();
  await until(async () => (await models.shadow.require(first.id)).status === 'failed');
  expect(await models.shadow.require(first.id)).toMatchObject({ error: HANDED_OVER_ERROR });
  expect(logged('b', 'took over a shadow run left by another runner', first.id)).toBe(true);
  expect(logged('a', 'took over a shadow run left by another runner', first.id)).toBe(false);
  await runners.b!.runModel('houses', async () => undefined);
  expect(await models.shadow.require(second.id)).toMatchObject({ status: 'done' });
  expect(await resultRows(second.id)).toBe(N);
  expect(await resultRows(first.id)).toBe(40);
}, 60_000);

it('a live mirror stops when its model moves, and the new owner resumes it with its count', async () => {
  owner = 'a';
  const live = await models.shadow.createLive(
    'houses',
    liveRunRequest.parse({ mode: 'live', candidate_version: 'v1', sample_rate: 1 }),
    't',
  );
  runners.a!.wake();
  await until(async () => (await models.shadow.require(live.id)).status === 'running');
  await logEvents(30, () => Date.now());
  await until(async () => (await models.shadow.require(live.id)).progress.rows_done === 30);

  owner = 'b';
  await until(() => logged('a', 'shadow run handed off', live.id));
  expect((await models.shadow.require(live.id)).status).toBe('running');
  runners.b!.wake();
  await until(() =>
    logs.b!.some((e) => e.msg === 'shadow run started' && e.run === live.id && e.resume),
  );
  await until(async () => (await models.shadow.require(live.id)).provider !== null);
  await new Promise((r) => setTimeout(r, 200)); // listening
  await logEvents(20, () => Date.now());
  await until(async () => (await models.shadow.require(live.id)).progress.rows_done === 50);
  await models.shadow.cancel('houses', live.id, 't');
  await until(async () => (await models.shadow.require(live.id)).status === 'cancelled');
  const run = await models.shadow.require(live.id);
  expect(run.summary).toMatchObject({ rows: 50 });
  expect(await resultRows(live.id)).toBe(50);
}, 60_000);
