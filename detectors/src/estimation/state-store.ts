import { Tables, type Store } from '@osprey/db';
import type { CbpeState } from './fit';

/** Stored states of another format are fitted again. */
const STATE_FORMAT = 1;

/**
 * CBPE's fitted state is cached beside the reference's drift profile, in reference_profiles under
 * the reference's key plus "|cbpe" (so drift's profile reads never see it), and refitted when the
 * labelled reference's row count changes.
 */
export function stateKey(referenceKey: string): string {
  return `${referenceKey}|cbpe`;
}

export async function loadState(
  store: Store,
  model: string,
  referenceKey: string,
  rows: number,
): Promise<CbpeState | undefined> {
  const found = await store.query<{ profile: string }>(
    `SELECT argMax(profile, computed_at) AS profile FROM ${Tables.referenceProfiles}
     WHERE model = {model:String} AND reference_key = {key:String} AND feature = 'cbpe'
     GROUP BY feature`,
    { model, key: stateKey(referenceKey) },
  );
  if (!found[0]) return undefined;
  const stored = JSON.parse(found[0].profile) as { format?: number; state: CbpeState };
  return stored.format === STATE_FORMAT && stored.state.rows === rows ? stored.state : undefined;
}

export async function saveState(
  store: Store,
  model: string,
  referenceKey: string,
  state: CbpeState,
): Promise<void> {
  await store.insert(Tables.referenceProfiles, [
    {
      model,
      reference_key: stateKey(referenceKey),
      target: 'prediction',
      feature: 'cbpe',
      kind: 'numeric',
      profile: JSON.stringify({ format: STATE_FORMAT, state }),
    },
  ]);
}
