import { connectKafka, startModelWork, type ModelWork } from '@osprey/ingest';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/http';
import { ensureKafka, uniquePrefix } from '../support/kafka';

// Replicas sharing models through the work topic's consumer group (ingest/src/kafka/work), against
// the project's real broker: no model worked on by two replicas, at once or in turn, unless the
// group moved it; a rebalance abandons a model between steps, before its new owner starts it.

const logger = pino({ level: 'silent' });
let broker: string;
const replicas: ModelWork[] = [];

interface Step {
  replica: string;
  model: string;
  at: number;
}

beforeAll(async () => {
  broker = await ensureKafka();
}, 180_000);
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
});

async function replica(
  prefix: string,
  name: string,
  steps: Step[],
  stepsPerModel: number,
): Promise<ModelWork> {
  const work = await startModelWork({
    conn: connectKafka({ brokers: [broker], clientId: name, topicPrefix: prefix, logger }),
    role: 'shadow',
    sessionTimeoutMs: 6_000,
    partitions: 6,
    replicationFactor: 1,
    logger,
    async run(model, checkpoint) {
      for (let i = 0; i < stepsPerModel; i++) {
        await checkpoint();
        steps.push({ replica: name, model, at: Date.now() });
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  });
  replicas.push(work);
  return work;
}

const models = Array.from({ length: 12 }, (_, i) => `model-${i}`);

it('splits the models between two replicas with no overlap', async () => {
  const prefix = uniquePrefix('work-split');
  const steps: Step[] = [];
  const a = await replica(prefix, 'a', steps, 1);
  const b = await replica(prefix, 'b', steps, 1);
  await eventually(
    async () => a.assigned().length === 3 && b.assigned().length === 3,
    60_000,
    'each replica to own three partitions',
  );
  await a.announce(models);
  await b.announce(models);
  await eventually(
    async () => new Set(steps.map((s) => s.model)).size === models.length,
    30_000,
    'every model worked on',
  );
  const owners = new Map<string, Set<string>>();
  for (const s of steps) owners.set(s.model, (owners.get(s.model) ?? new Set()).add(s.replica));
  expect([...owners.values()].every((o) => o.size === 1)).toBe(true);
  // owns() (which the delivery worker filters on) agrees with the group's assignment.
  for (const [model, o] of owners) {
    expect([a.owns(model), b.owns(model)], model).toEqual([o.has('a'), o.has('b')]);
  }
  const perReplica = (r: string) => [...owners].filter(([, o]) => o.has(r)).length;
  expect(perReplica('a')).toBeGreaterThan(0);
  expect(perReplica('b')).toBeGreaterThan(0);
}, 120_000);

it('abandons a model between steps on a rebalance, before the new owner starts it', async () => {
  const prefix = uniquePrefix('work-rebalance');
  const steps: Step[] = [];
  // Long work per model: a third replica joins while the first two are in the middle of it.
  const a = await replica(prefix, 'a', steps, 200);
  const b = await replica(prefix, 'b', steps, 200);
  await eventually(
    async () => a.assigned().length === 3 && b.assigned().length === 3,
    60_000,
    'each replica to own three partitions',
  );
  await a.announce(models);
  await eventually(async () => steps.length > 20, 30_000, 'work to begin');
  const c = await replica(prefix, 'c', steps, 200);
  await eventually(async () => c.assigned().length === 2, 60_000, 'the third replica to join');
  await eventually(
    async () => steps.some((s) => s.replica === 'c'),
    60_000,
    'the third replica to work',
  );
  // Per model, the steps of different replicas never interleave: each owner's steps form one
  // uninterrupted run before the next owner's first step.
  for (const model of models) {
    const sequence = steps.filter((s) => s.model === model).map((s) => s.replica);
    const runs = sequence.filter((r, i) => i === 0 || sequence[i - 1] !== r);
    expect(new Set(runs).size, `${model}: ${runs.join(' → ')}`).toBe(runs.length);
  }
}, 180_000);
