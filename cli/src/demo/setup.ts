import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '@osprey/db';
import {
  createRule,
  listRules,
  loadSettings,
  ruleInput,
  saveSettings,
  type RuleInput,
} from '@osprey/detectors';
import {
  RegistryError,
  shadowRunRequest,
  type Models,
  type ShadowRun,
} from '@osprey/shadow-runner';
import { FIXTURE_MODELS, HOUSE_FEATURES } from '@osprey/shadow-runner/fixtures';
import type { Story } from './story';

/** Everything the demo does in the registry, the rules and the runs is done as this actor. */
export const DEMO_ACTOR = 'demo';
export const DRIFTING_FEATURE = 'distance_to_center_km';

/** The committed fixture models (shadow-runner/fixtures/make_models.py) as the team's versions. */
const VERSIONS = [
  {
    version: 'v1',
    file: 'house_price_linear.onnx',
    description: 'Linear regression on six listing features: the first release.',
  },
  {
    version: 'v2',
    file: 'house_price_gbr.onnx',
    description: 'Gradient-boosted trees (60 × depth 3) on the same features: the candidate.',
  },
];

/**
 * Registers v1 and v2 through the registry (validated by onnxruntime) unless they exist, and puts
 * v1 in production when nothing is yet.
 */
export async function ensureVersions(models: Models, model: string): Promise<void> {
  for (const v of VERSIONS) {
    if (await models.registry.get(model, v.version)) continue;
    await models.registry.push({
      model,
      version: v.version,
      body: await readFile(join(FIXTURE_MODELS, v.file)),
      features: HOUSE_FEATURES,
      filename: v.file,
      description: v.description,
      actor: DEMO_ACTOR,
    });
  }
  if (!(await models.deployments.production(model))) {
    await models.deployments.promote({
      model,
      version: 'v1',
      reason: 'initial release',
      actor: DEMO_ACTOR,
    });
  }
}

/** The tag the demo's traffic is segmented by: its drift, performance and traffic per value. */
export const DEMO_SEGMENT = 'region';

/**
 * Configures `region` as a segment of the model (keeping its other settings) unless it is. Run
 * before the history is logged, so the detectors and the segment rollups take it from the start.
 */
export async function ensureSegments(store: Store, model: string): Promise<void> {
  const settings = await loadSettings(store, model);
  if (settings.segments.includes(DEMO_SEGMENT)) return;
  await saveSettings(
    store,
    model,
    { ...settings, segments: [...settings.segments, DEMO_SEGMENT] },
    DEMO_ACTOR,
  );
}

/** The rules a team would start with; each is created once, by name. */
function demoRules(model: string): RuleInput[] {
  return [
    {
      name: 'Distance to centre drift',
      model,
      metric: 'drift.psi',
      feature: DRIFTING_FEATURE,
      op: '>',
      threshold: 0.2,
      severity: 'warning',
      description:
        'PSI above 0.2 against the v1 validation set: listings no longer look like training data.',
    },
    {
      name: 'p95 latency',
      model,
      metric: 'latency.p95',
      op: '>',
      threshold: 50,
      severity: 'critical',
      description: 'p95 above 50 ms (normal is about 15 ms).',
    },
    {
      name: 'Error rate',
      model,
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      severity: 'critical',
      description: 'More than 5% of predictions fail (normal is about 1%).',
    },
  ];
}

export async function ensureRules(store: Store, model: string): Promise<void> {
  const existing = new Set((await listRules(store, { model })).map((r) => r.name));
  for (const rule of demoRules(model)) {
    if (!existing.has(rule.name)) await createRule(store, ruleInput.parse(rule), DEMO_ACTOR);
  }
}

/**
 * Queues a replay of the seeded day through v2 (the shadow runner executes it), unless the demo
 * already has one that is queued, running or done. Answers the run to watch.
 */
export async function ensureShadowRun(
  models: Models,
  model: string,
  story: Story,
  opts: { justSeeded: boolean },
): Promise<ShadowRun | undefined> {
  const runs = (await models.shadow.list(model)).filter(
    (r) => r.created_by === DEMO_ACTOR && r.mode === 'replay',
  );
  const kept = runs.find((r) => !['failed', 'cancelled'].includes(r.status));
  if (kept) return kept;
  const request = shadowRunRequest.parse({
    candidate_version: 'v2',
    from: story.history.from,
    to: story.history.to,
    version: 'v1',
  });
  // Just seeded through Kafka, the day may take a moment to reach the store.
  for (let attempt = 1; ; attempt++) {
    try {
      return await models.shadow.create(model, request, DEMO_ACTOR);
    } catch (err) {
      const noRows = err instanceof RegistryError && err.status === 400;
      if (noRows && opts.justSeeded && attempt < 20) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      // No logged traffic in the day (a data directory seeded by an older demo): nothing to replay.
      if (noRows) return undefined;
      throw err;
    }
  }
}
