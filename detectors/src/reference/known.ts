import { Tables, type Store } from '@osprey/db';
import { predictionRowsOf, referenceDatasetRowsOf, targetKey, type RowSet } from '../sql/rows';
import type { Reference, Scope, Target } from './resolve';

/**
 * What a batched pass looked up once for a reference that each family would otherwise look up
 * itself: its row count (and labelled rows, for a dataset), every family's stored fit and its
 * stored drift profile. It describes the reference named `key` only: a family that derives a
 * reference of its own (another key: text descriptors, one embedding) looks that one up itself.
 */
export interface KnownReference {
  key: string;
  rows: number;
  /** Datasets only: rows with a numeric prediction and a numeric label (DLE's count). */
  labelled?: number;
  /** Datasets only: rows with a label and a score or probabilities (CBPE's count). */
  scoredLabelled?: number;
  /** Latest stored fit per family (as stored: text); saveFit adds those it stores. */
  fits: Map<string, string>;
  /** The stored drift profile's rows per feature (as stored: text); empty when none is. */
  profiles: ReadonlyMap<string, string>;
}

/**
 * Whether what is fitted or profiled on a reference is stored for later windows. A previous
 * window's is neither read nor stored: that reference serves one window (and its recomputes), and
 * every window of every model and segment would add one.
 */
export function keptForLater(ref: Reference): boolean {
  return ref.source !== 'previous_window';
}

/** The known state of `ref`, when what was looked up is for these rows. */
export function knownOf(ref: Reference): KnownReference | undefined {
  return ref.known?.key === ref.key ? ref.known : undefined;
}

/** A reference's row count: as a batched pass looked it up, else counted now. */
export async function referenceRowCount(store: Store, ref: Reference): Promise<number> {
  return knownOf(ref)?.rows ?? rowCount(store, ref.rows);
}

/** The number of rows of a row set, counted now. */
export async function rowCount(store: Store, rows: RowSet): Promise<number> {
  const [counted] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM (${rows.sql})`,
    rows.params,
  );
  return Number(counted?.n ?? 0);
}

/**
 * The known state of each target's reference (by index; undefined where it has none), looked up
 * in a fixed number of statements whatever the number of targets: the row counts grouped by
 * model (one statement for the dataset references, one for the time ranges), the stored fits and
 * profiles of every reference at once. Worth it for a batch; a single target reads the same.
 */
export async function knownReferencesOf(
  store: Store,
  targets: readonly Target[],
  refs: readonly (Reference | undefined)[],
): Promise<(KnownReference | undefined)[]> {
  const present = targets.flatMap((t, i) => {
    const ref = refs[i];
    return ref ? [{ scope: t.scope, ref }] : [];
  });
  if (present.length === 0) return refs.map(() => undefined);
  const kept = present.filter((p) => keptForLater(p.ref));
  const [counts, fits, profiles] = await Promise.all([
    rowCounts(store, present),
    // A fit per family; a profile row per (target, feature).
    storedByReference(store, Tables.referenceFits, 'family', 'fit', kept),
    storedByReference(store, Tables.referenceProfiles, 'feature', 'profile', kept, 'target'),
  ]);
  return targets.map((t, i) => {
    const ref = refs[i];
    if (!ref) return undefined;
    const id = idOf(t.scope.model, ref.key);
    const count = counts.get(id) ?? { rows: 0 };
    return {
      key: ref.key,
      ...count,
      fits: fits.get(id) ?? new Map(),
      profiles: profiles.get(id) ?? new Map(),
    };
  });
}

const idOf = (model: string, key: string) => `${model}\u0000${key}`;

type Present = { scope: Scope; ref: Reference };
type Counts = Pick<KnownReference, 'rows' | 'labelled' | 'scoredLabelled'>;
type Row = { n: string; labelled?: string; scored_labelled?: string };

/** The latest `text` column per `name` column of each present reference, from `table`. */
async function storedByReference(
  store: Store,
  table: string,
  name: string,
  text: string,
  present: readonly Present[],
  groupAlso = '',
): Promise<Map<string, Map<string, string>>> {
  if (present.length === 0) return new Map();
  const rows = await store.query<{ model: string; key: string; name: string; text: string }>(
    `SELECT model, reference_key AS key, ${name} AS name, argMax(${text}, computed_at) AS text
     FROM ${table}
     WHERE model IN {models:Array(String)} AND reference_key IN {keys:Array(String)}
     GROUP BY model, reference_key, ${groupAlso ? `${groupAlso}, ` : ''}${name}`,
    { models: present.map((p) => p.scope.model), keys: present.map((p) => p.ref.key) },
  );
  const wanted = new Set(present.map((p) => idOf(p.scope.model, p.ref.key)));
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const id = idOf(r.model, r.key);
    if (!wanted.has(id)) continue;
    const m = out.get(id) ?? new Map<string, string>();
    m.set(r.name, r.text);
    out.set(id, m);
  }
  return out;
}

/**
 * Each reference's row count. A single reference is counted over its own rows; a batch's, grouped
 * by target (referenceRowSetsOf): dataset references in one statement, time ranges and previous
 * windows in another.
 */
async function rowCounts(store: Store, present: readonly Present[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const labelledSql = `countIf(prediction_num IS NOT NULL AND label_num IS NOT NULL) AS labelled,
    countIf((label_num IS NOT NULL OR label_str IS NOT NULL)
            AND (prediction_num IS NOT NULL OR length(prediction_vec) > 0)) AS scored_labelled`;
  const countsOf = (r: Row, labelled: boolean): Counts => ({
    rows: Number(r.n),
    ...(labelled && { labelled: Number(r.labelled), scoredLabelled: Number(r.scored_labelled) }),
  });
  const idOfTarget = new Map(
    present.map((p) => [targetKey(p.scope), idOf(p.scope.model, p.ref.key)]),
  );
  await Promise.all(
    referenceRowSetsOf(present).map(async ({ rows, dataset, of }) => {
      const result = await store.query<Row & { target: string }>(
        `SELECT target, count() AS n ${dataset ? `, ${labelledSql}` : ''}
         FROM (${rows.sql}) GROUP BY target`,
        rows.params,
      );
      for (const r of result) out.set(idOfTarget.get(r.target)!, countsOf(r, dataset));
      // A reference without rows is counted too.
      const none = { n: '0', labelled: '0', scored_labelled: '0' };
      for (const p of of) {
        const id = idOf(p.scope.model, p.ref.key);
        if (!out.has(id)) out.set(id, countsOf(none, dataset));
      }
    }),
  );
  return out;
}

/**
 * The references of targets of one window as row sets with a `target` column (targetKey): one
 * reference's own rows, or for a batch (whole models, or one model's segments of one tag) the
 * dataset references in one row set and the time ranges and previous windows in another (their
 * tables differ).
 */
export function referenceRowSetsOf(
  present: readonly { scope: Scope; ref: Reference }[],
): { rows: RowSet; dataset: boolean; of: readonly { scope: Scope; ref: Reference }[] }[] {
  if (present.length === 1)
    return [
      { rows: present[0]!.ref.rows, dataset: present[0]!.ref.source === 'dataset', of: present },
    ];
  const datasets = present.filter((p) => p.ref.source === 'dataset');
  const ranges = present.filter((p) => p.ref.source !== 'dataset');
  return [
    ...(datasets.length > 0
      ? [
          {
            rows: referenceDatasetRowsOf(
              'refs',
              datasets.map((p) => ({ scope: p.scope, referenceId: p.ref.detail.reference_id! })),
            ),
            dataset: true,
            of: datasets,
          },
        ]
      : []),
    ...(ranges.length > 0
      ? [
          {
            rows: predictionRowsOf(
              'ref',
              ranges.map((p) => ({
                scope: p.scope,
                from: Date.parse(p.ref.detail.from!),
                to: Date.parse(p.ref.detail.to!),
              })),
            ),
            dataset: false,
            of: ranges,
          },
        ]
      : []),
  ];
}
