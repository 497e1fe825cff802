import type { Store } from '@osprey/db';
import { saveFit, storedFit } from '../reference/fit-store';
import type { Reference } from '../reference/resolve';
import type { CbpeState } from './fit';

/** Stored states of another format are fitted again. */
const STATE_FORMAT = 1;
const FAMILY = 'cbpe';

/** A fitted state, or why the labelled reference cannot be fitted. */
export type CbpeOutcome = { state: CbpeState } | { reason: string };

type Stored = { format?: number; state?: CbpeState; reason?: string; rows?: number };

/**
 * CBPE's outcome is kept in reference_fits (family "cbpe") under the reference's key — the fitted
 * state, or why none can be fitted (labels that are not 0/1, vectors without one entry per class:
 * looked at once, not at every window) — and fitted again when the labelled reference's row
 * count changes (a reference still being uploaded).
 */
export async function loadState(
  store: Store,
  model: string,
  ref: Reference,
  rows: number,
): Promise<CbpeOutcome | undefined> {
  const stored = await storedFit<Stored>(store, model, ref, FAMILY);
  if (stored?.format !== STATE_FORMAT) return undefined;
  if (stored.state) return stored.state.rows === rows ? { state: stored.state } : undefined;
  return stored.reason !== undefined && stored.rows === rows
    ? { reason: stored.reason }
    : undefined;
}

export async function saveState(
  store: Store,
  model: string,
  ref: Reference,
  outcome: CbpeOutcome,
  rows: number,
): Promise<void> {
  const stored: Stored =
    'state' in outcome
      ? { format: STATE_FORMAT, state: outcome.state }
      : { format: STATE_FORMAT, reason: outcome.reason, rows };
  await saveFit(store, model, ref, FAMILY, stored);
}
