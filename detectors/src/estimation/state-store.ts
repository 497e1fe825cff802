import type { Store } from '@osprey/db';
import { loadFit, saveFit } from '../reference/fit-store';
import type { CbpeState } from './fit';

/** Stored states of another format are fitted again. */
const STATE_FORMAT = 1;
const FAMILY = 'cbpe';

/**
 * CBPE's fitted state is kept in reference_fits (family "cbpe") under the reference's key, and
 * refitted when the labelled reference's row count changes (a reference still being uploaded).
 */
export async function loadState(
  store: Store,
  model: string,
  referenceKey: string,
  rows: number,
): Promise<CbpeState | undefined> {
  const stored = await loadFit<{ format?: number; state: CbpeState }>(
    store,
    model,
    referenceKey,
    FAMILY,
  );
  return stored?.format === STATE_FORMAT && stored.state.rows === rows ? stored.state : undefined;
}

export async function saveState(
  store: Store,
  model: string,
  referenceKey: string,
  state: CbpeState,
): Promise<void> {
  await saveFit(store, model, referenceKey, FAMILY, { format: STATE_FORMAT, state });
}
