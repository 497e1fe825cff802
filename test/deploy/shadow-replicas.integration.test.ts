import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HANDED_OVER_ERROR } from '../../shadow-runner/src/replay/runner';
import { FIXTURE_MODELS, HOUSE_FEATURES } from '../../shadow-runner/src/testing/python';
import {
  ROLES_SECRET_KEY,
  startStandinProcess,
  type StandinProcess,
} from '../support/clickhouse-standin-process';
import { eventually } from '../support/http';
import { ensureKafka, modelsOnePerPartition, uniquePrefix } from '../support/kafka';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api } from '../support/upload';

// Two `osprey shadow-runner` replicas sharing the models through the `shadow` work topic's
// consumer group, against one store (the TEST-ONLY ClickHouse-HTTP stand-in over chDB), with
// `osprey web` queuing the runs and one artifact directory for all.

const PARTITIONS = 4;
// Long enough that a replica busy on a loaded machine is not taken for dead (which would move its
// models and, by design, fail its replay in progress).
const SESSION_TIMEOUT_MS = 10_000;
// Recent events: the store's retention (30 days by default) would drop older ones.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3 * 3_600_000;
const API_KEY = `osp_test_shadow_replicas_${Date.now()}`;

let standin: StandinProcess;
let store: Store;
let broker: string;
let prefix: string;
let web: OspreyProcess;
let runners: OspreyProcess[] = [];
const artifactDir = mkdtempSync(join(tmpdir(), 'osprey-shadow-replicas-artifacts-'));
const processes: OspreyProcess[] = [];

async function role(name: string): Promise<OspreyProcess> {
  const p = await startOsprey({
    args: [name],
    apiKey: API_KEY,
    env: {
      CLICKHOUSE_URL: standin.url,
      OSPREY_SECRET_KEY: ROLES_SECRET_KEY,
      KAFKA_BROKERS: broker,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      OSPREY_ARTIFACT_DIR: artifactDir,
      OSPREY_EP: 'cpu',
      OSPREY_SHADOW_POLL_SECONDS: '1',
      LOG_LEVEL: 'info',
    },
    healthyWithinMs: 240_000,
  });
  processes.push(p);
  return p;
}

/** What a runner logs when models or runs change hands (shown when a run is not done). */
const HANDOFF_LOGS = [
  'model work assigned',
  'model work revoked',
  'shadow run handed off',
  'took over a shadow run left by another runner',
  'shadow run failed',
];

interface LogEntry {
  msg?: string;
  run?: string;
  model?: string;
  partitions?: number[];
}

function entries(logs: string): LogEntry[] {
  return logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogEntry);
}

/** The runs a runner logged with `msg`. */
function runsLogged(p: OspreyProcess, msg: string): string[] {
  return entries(p.logs())
    .filter((e) => e.msg === msg && e.run)
    .map((e) => e.run!);
}

function lastAssignment(p: OspreyProcess): number[] | undefined {
  return entries(p.logs())
    .filter((e) => e.msg === 'model work assigned')
    .at(-1)?.partitions;
}

/** `n` logged events of `model` (v1, the linear model's inputs) one second apart from T0. */
async function logEvents(model: string, n: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({
    event_id: randomUUID(),
    timestamp: T0 + i * 1000,
    model,
    version: 'v1',
    num_features: {
      rooms: 1 + (i % 7),
      bedrooms: 1 + (i % 4),
      area_sqm: 30 + ((i * 37) % 160),
      age_years: (i * 13) % 90,
      distance_to_center_km: 0.5 + (i % 20),
    },
    bool_features: { has_garden: i % 3 === 0 },
    cat_features: {},
    null_features: [],
    prediction_num: 100_000 + i,
    prediction_label: null,
    prediction_vec: [],
    latency_ms: 5,
    error: '',
    tags: {},
    request_id: '',
  }));
  await store.insert('predictions', rows);
  const upload = await fetch(
    `${web.url}/api/v1/models/${model}/versions?version=v1&features=${HOUSE_FEATURES.join(',')}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: readFileSync(join(FIXTURE_MODELS, 'house_price_linear.onnx')),
    },
  );
  expect(upload.status).toBe(201);
}

interface Run {
  id: string;
  status: string;
  error: string | null;
  progress: { rows_done: number; rows_total: number };
}

async function queueReplay(model: string, n: number, batchSize: number): Promise<string> {
  const created = await api<Run>(web.url, API_KEY, 'POST', `/api/v1/models/${model}/shadow-runs`, {
    candidate_version: 'v1',
    from: new Date(T0).toISOString(),
    to: new Date(T0 + n * 1000).toISOString(),
    batch_size: batchSize,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  return created.body.id;
}

async function getRun(model: string, id: string): Promise<Run> {
  return (await api<Run>(web.url, API_KEY, 'GET', `/api/v1/models/${model}/shadow-runs/${id}`))
    .body;
}

async function resultRows(id: string): Promise<number> {
  const rows = await store.query<{ n: string }>(
    `SELECT count() AS n FROM shadow_results WHERE run_id = toUUID({id:String})`,
    { id },
  );
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  broker = await ensureKafka();
  prefix = uniquePrefix('shrep');
  standin = await startStandinProcess();
  store = await createStore(storeEnv.parse({ CLICKHOUSE_URL: standin.url }));
  await migrate(store, { retentionDays: 3650 });
  web = await role('web');
  runners = await Promise.all([role('shadow-runner'), role('shadow-runner')]);
  await eventually(
    async () => runners.every((r) => lastAssignment(r)?.length === PARTITIONS / 2),
    60_000,
    'both shadow-runner replicas to own half of the work partitions',
  );
}, 360_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await store?.close();
  await standin?.stop();
});

it('two replicas split the models: each queued replay is run once, by its model owner', async () => {
  const models = modelsOnePerPartition(`shadow-${prefix}`, PARTITIONS);
  const N = 120;
  for (const model of models) await logEvents(model, N);
  const runs = new Map<string, string>(); // run → model
  for (const model of models)
    for (let i = 0; i < 2; i++) runs.set(await queueReplay(model, N, 40), model);

  let statuses: string[] = [];
  await eventually(
    async () => {
      statuses = [];
      for (const [id, model] of runs) {
        const run = await getRun(model, id);
        statuses.push(run.error ? `${run.status} (${run.error})` : run.status);
      }
      return statuses.every((s) => s === 'done');
    },
    180_000,
    'every replay to be done',
  ).catch((err: Error) => {
    const handoffs = runners.map((r) =>
      entries(r.logs())
        .filter((e) => HANDOFF_LOGS.includes(e.msg ?? ''))
        .map((e) => JSON.stringify(e)),
    );
    throw new Error(`${err.message}: ${statuses.join(', ')}\n${handoffs.flat().join('\n')}`);
  });
  const [a, b] = runners.map((r) => runsLogged(r, 'shadow run started'));
  // Each run started by exactly one replica, and a model's runs all by the same one.
  expect([...a!, ...b!].sort()).toEqual([...runs.keys()].sort());
  const modelsOf = (ids: string[]) => new Set(ids.map((id) => runs.get(id)));
  expect([...modelsOf(a!)].filter((m) => modelsOf(b!).has(m))).toEqual([]);
  expect(modelsOf(a!).size).toBe(PARTITIONS / 2);
  expect(modelsOf(b!).size).toBe(PARTITIONS / 2);
  for (const id of runs.keys()) expect(await resultRows(id)).toBe(N);
}, 300_000);

it("a SIGKILLed replica's running replay is taken over by the survivor within the session timeout", async () => {
  const model = `shadow-${prefix}-kill`;
  // Many small batches: the first replay is still running when its replica is killed (4,000
  // events in batches of 4 took about a second once results were written in batches, #17).
  const N = 40_000;
  await logEvents(model, N);
  const first = await queueReplay(model, N, 4);
  const second = await queueReplay(model, 200, 50);
  await eventually(
    async () => (await getRun(model, first)).progress.rows_done > 0,
    120_000,
    'the first replay to make progress',
  );
  const owner = runners.find((r) => runsLogged(r, 'shadow run started').includes(first))!;
  const survivor = runners.find((r) => r !== owner)!;
  expect(owner).toBeDefined();
  owner.child.kill('SIGKILL');
  const killedAt = Date.now();

  await eventually(
    async () =>
      runsLogged(survivor, 'took over a shadow run left by another runner').includes(first),
    60_000,
    'the survivor to take the killed replica’s run over',
  );
  const tookOverMs = Date.now() - killedAt;
  const failed = await getRun(model, first);
  expect({ status: failed.status, error: failed.error }).toEqual({
    status: 'failed',
    error: HANDED_OVER_ERROR,
  });
  // Never run to completion: fewer results than rows.
  expect(await resultRows(first)).toBeLessThan(N);
  // The group moves the killed replica's partitions after the session timeout; the survivor's
  // next poll (1 s) takes the run over (the rest: the rebalance and a loaded machine).
  expect(tookOverMs).toBeLessThan(SESSION_TIMEOUT_MS + 8_000);

  await eventually(
    async () => (await getRun(model, second)).status === 'done',
    120_000,
    'the queued replay of the killed replica’s model to be run by the survivor',
  );
  expect(runsLogged(survivor, 'shadow run started')).toContain(second);
  expect(await resultRows(second)).toBe(200);
}, 300_000);
