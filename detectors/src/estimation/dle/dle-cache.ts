import type { Store } from '@osprey/db';
import { fitOfReference } from '../../reference/fit-store';
import { knownOf } from '../../reference/known';
import type { Reference } from '../../reference/resolve';
import type { RowSet } from '../../sql/rows';
import { DLE_FORMAT, fitDle, type DleState } from './fit-dle';

const FAMILY = 'dle';
const CODEC = { parse: parseState, stringify: serializeState };

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
  const known = knownOf(ref);
  // A known count is of the reference's own rows; a time range's labels join on (other rows).
  const now =
    known?.labelled !== undefined && rows === ref.rows
      ? { n: known.rows, labelled: known.labelled }
      : await counted(store, rows);
  return fitOfReference(store, model, ref, FAMILY, {
    fresh: (stored) =>
      stored.format === DLE_FORMAT &&
      stored.rows === now.n &&
      stored.labelled === now.labelled &&
      (stored.nannies !== undefined || !opts.regression || stored.labelled === 0),
    fit: () => fitDle(store, rows, opts),
    codec: CODEC,
  });
}

async function counted(store: Store, rows: RowSet): Promise<{ n: number; labelled: number }> {
  const [now] = (await store.query<{ n: string; labelled: string }>(
    `SELECT count() AS n, countIf(prediction_num IS NOT NULL AND label_num IS NOT NULL) AS labelled
     FROM (${rows.sql})`,
    rows.params,
  )) as [{ n: string; labelled: string }];
  return { n: Number(now.n), labelled: Number(now.labelled) };
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
