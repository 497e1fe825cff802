import type { Store } from '@osprey/db';
import { resolveReference, type ComparedWith, type Scope } from '../reference/resolve';
import { loadSettings } from '../settings/model-settings';
import { latestRun } from './runs';

/**
 * What a window was compared with when it was last detected, from its stored drift document:
 * undefined when the window has no stored detection, null when it had no reference (nothing to
 * compare with). A window detected before a reference dataset was uploaded says so here until it
 * is recomputed.
 */
export async function windowComparedWith(
  store: Store,
  scope: Scope,
): Promise<ComparedWith | null | undefined> {
  const run = (await latestRun(store, { ...scope, detector: 'drift' })) as
    { reference?: ComparedWith | null } | undefined;
  if (!run) return undefined;
  return run.reference ?? null;
}

/** A window's stored comparison, and whether the model's reference is another one now. */
export interface WindowReference {
  compared: ComparedWith | null;
  /** A detection now would compare with other rows (a dataset uploaded since, new settings). */
  outdated: boolean;
}

export async function windowReference(
  store: Store,
  scope: Scope,
): Promise<WindowReference | undefined> {
  const compared = await windowComparedWith(store, scope);
  if (compared === undefined) return undefined;
  const now = await resolveReference(store, await loadSettings(store, scope.model), scope);
  return { compared, outdated: (now?.key ?? null) !== (compared?.key ?? null) };
}
