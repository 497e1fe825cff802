import { Tables, type Store } from '@osprey/db';
import type { Reference } from '../../reference/resolve';
import type { RowSet } from '../../sql/rows';
import { DLE_FORMAT, fitDle, type DleState } from './fit-dle';

/**
 * DLE's fitted state rides in reference_profiles under the reference's key plus this suffix, so
 * the drift profile of the same reference (read by key) never sees it.
 */
const KEY_SUFFIX = '|dle';

/**
 * The reference's fitted DLE state, stored or fitted now (and stored). A stored state is used
 * while the reference's rows and labelled rows are as many as when it was fitted (a dataset still
 * uploading, or labels arriving for a range of predictions, fit it again).
 */
export async function dleState(
  store: Store,
  model: string,
  ref: Reference,
  rows: RowSet,
  opts: { regression?: boolean } = {},
): Promise<DleState> {
  const [now] = (await store.query<{ n: string; labelled: string }>(
    `SELECT count() AS n, countIf(prediction_num IS NOT NULL AND label_num IS NOT NULL) AS labelled
     FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; labelled: string }];
  const stored = await loadState(store, model, ref.key);
  if (
    stored?.format === DLE_FORMAT &&
    stored.rows === Number(now.n) &&
    stored.labelled === Number(now.labelled) &&
    (stored.nannies !== undefined || !opts.regression || stored.labelled === 0)
  )
    return stored;
  const state = await fitDle(store, rows, opts);
  if (state.rows > 0) await saveState(store, model, ref.key, state);
  return state;
}

async function loadState(store: Store, model: string, key: string): Promise<DleState | undefined> {
  const rows = await store.query<{ profile: string }>(
    `SELECT argMax(profile, computed_at) AS profile FROM ${Tables.referenceProfiles}
     WHERE model = {model:String} AND reference_key = {key:String} GROUP BY reference_key`,
    { model, key: key + KEY_SUFFIX },
  );
  return rows[0] ? parseState(rows[0].profile) : undefined;
}

async function saveState(store: Store, model: string, key: string, state: DleState) {
  await store.insert(Tables.referenceProfiles, [
    {
      model,
      reference_key: key + KEY_SUFFIX,
      target: 'prediction',
      feature: '',
      kind: 'numeric',
      profile: serializeState(state),
    },
  ]);
}

/** JSON has no −∞ (a cut that only NaN stays left of): it is written as null. */
export function serializeState(state: DleState): string {
  return JSON.stringify(state, (_, v: unknown) => (v === -Infinity ? null : v));
}

export function parseState(text: string): DleState {
  const state = JSON.parse(text) as DleState;
  for (const nanny of Object.values(state.nannies ?? {})) {
    for (const tree of nanny.model.trees) {
      tree.cuts = tree.cuts.map((c) => (c === null ? -Infinity : c));
    }
  }
  return state;
}
