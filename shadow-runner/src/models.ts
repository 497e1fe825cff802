import type { Store } from '@osprey/db';
import type { LiveFeed } from '@osprey/ingest';
import type { Logger } from 'pino';
import type { Production } from './api';
import { artifactDir, type ShadowEnv } from './config';
import { artifactUrl } from './registry/artifact-url';
import { ArtifactStore } from './registry/artifacts';
import { Deployments } from './registry/deployments';
import { ModelRegistry } from './registry/registry';
import { describePlan } from './inference/availability';
import { defaultTuning } from './inference/ep';
import { InferencePool } from './inference/pool';
import { ShadowRunner, type RunnerShare } from './replay/runner';
import { ShadowRuns } from './replay/runs';

/** The registry and the deployment log as one process serves them (the web app's `models`). */
export interface Models {
  registry: ModelRegistry;
  deployments: Deployments;
  shadow: ShadowRuns;
  /**
   * The production answer for services, or undefined when nothing was promoted yet. Its
   * `artifact_url` is under OSPREY_PUBLIC_URL when set, else relative (see artifactUrl).
   */
  production(model: string): Promise<{ body: Production; etag: string } | undefined>;
}

export function createModels(
  store: Store,
  env: ShadowEnv & { OSPREY_DATA_DIR: string; OSPREY_PUBLIC_URL?: string },
  logger?: Logger,
): Models {
  const artifacts = new ArtifactStore(artifactDir(env));
  const registry = new ModelRegistry({
    store,
    artifacts,
    maxArtifactBytes: env.OSPREY_MAX_ARTIFACT_BYTES,
  });
  const deployments = new Deployments(store, registry, logger);
  return {
    registry,
    deployments,
    shadow: new ShadowRuns(store, registry, deployments),
    async production(model) {
      const row = await deployments.production(model);
      if (!row) return undefined;
      return {
        // One deployment row, one ETag: a poll answers 304 until the next promote or rollback.
        etag: `"${row.id}"`,
        body: {
          model,
          version: row.version,
          sha256: row.sha256,
          artifact_url: artifactUrl(model, row.version, env.OSPREY_PUBLIC_URL),
          changed_at: row.changed_at,
          action: row.action,
          reason: row.reason,
          actor: row.actor,
          alert_id: row.alert_id || null,
        },
      };
    },
  };
}

/**
 * The replay runner with its inference pool (OSPREY_EP, OSPREY_INFERENCE_WORKERS), woken at once
 * by runs queued through `models` in this process and polling for the others. With `share`
 * (replicas sharing the models, see ShadowRunner) it runs only the owned models' runs.
 */
export function startShadowRunner(
  models: Models,
  store: Store,
  env: ShadowEnv,
  logger: Logger,
  liveFeed?: LiveFeed,
  share?: RunnerShare,
): { runner: ShadowRunner; stop(): Promise<void> } {
  const workers = env.OSPREY_INFERENCE_WORKERS;
  const pool = new InferencePool({
    ep: env.OSPREY_EP,
    workers,
    isolation: env.OSPREY_INFERENCE_ISOLATION,
    tuning: defaultTuning(workers, env.OSPREY_INFERENCE_SPIN === 'on'),
  });
  logger.info(
    { ep: env.OSPREY_EP, providers: pool.plan.providers, skipped: pool.plan.skipped },
    describePlan(env.OSPREY_EP, pool.plan),
  );
  const runner = new ShadowRunner({
    store,
    registry: models.registry,
    pool,
    logger: logger.child({ component: 'shadow-runner' }),
    pollMs: env.OSPREY_SHADOW_POLL_SECONDS * 1000,
    liveFeed,
    share,
  });
  models.shadow.onQueued(() => runner.wake());
  runner.start();
  return {
    runner,
    async stop() {
      await runner.stop();
      await pool.close();
    },
  };
}
