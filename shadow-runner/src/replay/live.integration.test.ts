import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getShadowRun, type Store } from '@osprey/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShadowStore } from '../testing/shadow-store';
import { liveRunRequest } from '../api';
import type { InferencePool } from '../inference/pool';
import type { Models } from '../models';
import { FIXTURE_MODELS, HOUSE_FEATURES, pythonOrt } from '../testing/python';
import { ShadowRunner } from './runner';

const dir = mkdtempSync(join(tmpdir(), 'osprey-live-'));
const LINEAR = join(FIXTURE_MODELS, 'house_price_linear.onnx');
let store: Store;
let models: Models;
let pool: InferencePool;
let runner: ShadowRunner;

beforeAll(async () => {
  ({ store, models, pool } = await openShadowStore(dir));
  runner = new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: pino({ level: 'silent' }),
    pollMs: 60_000,
    liveTickMs: 50,
  });
  await models.registry.push({
    model: 'houses',
    version: 'v1',
    body: readFileSync(LINEAR),
    features: HOUSE_FEATURES,
    actor: 't',
  });
});
afterAll(async () => {
  await runner?.stop();
  await pool?.close();
  await store?.close();
});

/** Logs `n` events now, as production v1 (the linear model) answered them. */
async function logNow(n: number, offset: number): Promise<string[]> {
  const x = Array.from({ length: n }, (_, i) => [
    1 + ((i + offset) % 6),
    2,
    40 + ((i * 13) % 120),
    (i * 7) % 60,
    1 + (i % 9),
    i % 2,
  ]);
  const y = (await pythonOrt(LINEAR, { features: { dims: [n, 6], data: x.flat() } })).price!;
  const rows = x.map((r, i) => ({
    event_id: randomUUID(),
    timestamp: Date.now(),
    model: 'houses',
    version: 'v1',
    num_features: Object.fromEntries(HOUSE_FEATURES.slice(0, 5).map((f, j) => [f, r[j]])),
    bool_features: { has_garden: r[5] === 1 },
    prediction_num: y[i],
  }));
  await store.insert('predictions', rows);
  return rows.map((r) => r.event_id);
}

async function until(what: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live mirror', () => {
  it('runs new events, sampled by event id, through the candidate until cancelled', async () => {
    await logNow(50, 0); // before the mirror starts: not mirrored
    const queued = await models.shadow.createLive(
      'houses',
      liveRunRequest.parse({ mode: 'live', candidate_version: 'v1', sample_rate: 0.5 }),
      't',
    );
    const running = runner.execute((await getShadowRun(store, queued.id))!);
    await until(async () => (await models.shadow.require(queued.id)).status === 'running');
    const ids = [...(await logNow(300, 1)), ...(await logNow(300, 2))];
    const counted = await store.query<{ n: string }>(
      `SELECT count() AS n FROM predictions WHERE toString(event_id) IN {ids:Array(String)} AND cityHash64(event_id) % 1000000 < 500000`,
      { ids },
    );
    const sampled = Number(counted[0]!.n);
    expect(sampled).toBeGreaterThan(200);
    expect(sampled).toBeLessThan(400);
    await until(
      async () => (await models.shadow.require(queued.id)).progress.rows_done === sampled,
    );
    await models.shadow.cancel('houses', queued.id, 't');
    await running;
    const run = await models.shadow.require(queued.id);
    expect(run).toMatchObject({ mode: 'live', status: 'cancelled', error: null, provider: 'cpu' });
    expect(run.summary).toMatchObject({ rows: sampled, compared: sampled, abs_diff_max: 0 });
    expect(run.verdict?.decision).toBe('promote');
    const scored = await store.query<{ e: string }>(
      `SELECT toString(event_id) AS e FROM shadow_results WHERE run_id = toUUID({id:String})`,
      { id: run.id },
    );
    expect(scored.every((r) => ids.includes(r.e))).toBe(true);
  });
});
