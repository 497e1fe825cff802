import type { ApiKeyVerifier, Store } from '@osprey/db';
import type { Alerts, DetectionProgress, RecomputeJobs } from '@osprey/detectors';
import type { Models } from '@osprey/shadow-runner';

/**
 * What the Next.js app borrows from the process that serves it: the one Store (chDB binds one
 * data directory per process, so the app must not open its own) and the key verifier. The launcher
 * registers it before Next starts; route handlers and pages read it. It lives on globalThis because
 * Next compiles the app into its own module graph, separate from the launcher's.
 */
export interface WebRuntime {
  store: Store;
  verifier: ApiKeyVerifier;
  /** The alert engine: rules evaluated on POST …/detect, channels' test sends. */
  alerts?: Alerts;
  /** The model registry and deployment log: uploads, promote/rollback, the production answer. */
  models?: Models;
  /** Dashboard sessions: how long a login lasts (default 12 hours). */
  auth?: { sessionTtlMs: number };
  /** Background recomputes of stored windows (POST …/recompute); made on first use. */
  recompute?: RecomputeJobs;
  /** The detector scheduler in this process, if any: the Overview shows its backfill progress. */
  detection?: { progress(): DetectionProgress };
}

const KEY = Symbol.for('osprey.web.runtime');
type Holder = { [KEY]?: WebRuntime };

export function registerRuntime(runtime: WebRuntime): void {
  (globalThis as Holder)[KEY] = runtime;
}

export function runtime(): WebRuntime {
  const current = (globalThis as Holder)[KEY];
  if (!current)
    throw new Error(
      'the Osprey web runtime is not registered; start the app with `osprey start` or `osprey web`',
    );
  return current;
}
