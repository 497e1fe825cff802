import { Tables, type Store } from '@osprey/db';
import { targetKey, type RowSet } from '../sql/rows';
import { keptForLater, knownOf, referenceRowCount, referenceRowSetsOf } from './known';
import type { Reference, Scope } from './resolve';

/**
 * Every family's fitted state of a reference (CBPE, DLE, multivariate drift, data quality) lives
 * in reference_fits, keyed by (model, reference, family). `parse` / `stringify` for states that
 * plain JSON cannot carry (DLE's −∞ cuts).
 */
export interface FitCodec<T> {
  parse(text: string): T;
  stringify(fit: T): string;
}

const JSON_CODEC: FitCodec<never> = {
  parse: (t) => JSON.parse(t) as never,
  stringify: JSON.stringify,
};

/** A family's fitted state as stored in reference_fits: the latest for (model, reference, family). */
export async function loadFit<T>(
  store: Store,
  model: string,
  referenceKey: string,
  family: string,
  codec: Pick<FitCodec<T>, 'parse'> = JSON_CODEC,
): Promise<T | undefined> {
  const rows = await store.query<{ fit: string }>(
    `SELECT argMax(fit, computed_at) AS fit FROM ${Tables.referenceFits}
     WHERE model = {model:String} AND reference_key = {key:String} AND family = {family:String}
     HAVING count() > 0`,
    { model, key: referenceKey, family },
  );
  return rows[0] ? codec.parse(rows[0].fit) : undefined;
}

/**
 * Stores a family's fit of a reference. Given the Reference itself, what a batched pass looked up
 * of it (known.ts) is brought up to date too, so a later target of the same pass that reads the
 * reference through it (a segment reading its whole model's) finds the fit instead of fitting again.
 */
export async function saveFit<T extends object>(
  store: Store,
  model: string,
  ref: Reference | string,
  family: string,
  fit: T,
  codec: Pick<FitCodec<T>, 'stringify'> = JSON_CODEC,
): Promise<void> {
  await saveFits(store, family, [{ model, ref, fit }], codec);
}

/** saveFit of several fits of one family, in one insert. */
async function saveFits<T extends object>(
  store: Store,
  family: string,
  fits: readonly { model: string; ref: Reference | string; fit: T }[],
  codec: Pick<FitCodec<T>, 'stringify'> = JSON_CODEC,
): Promise<void> {
  if (fits.length === 0) return;
  const texts = fits.map(({ fit }) => codec.stringify(fit));
  await store.insert(
    Tables.referenceFits,
    fits.map(({ model, ref }, i) => ({
      model,
      reference_key: typeof ref === 'string' ? ref : ref.key,
      family,
      fit: texts[i],
    })),
  );
  fits.forEach(({ ref }, i) => {
    if (typeof ref !== 'string') knownOf(ref)?.fits.set(family, texts[i]!);
  });
}

/**
 * A family's fit of a reference: the stored one while `fresh` says it still describes the
 * reference's rows, else `fit()` computed now and stored (when it saw any rows and keptForLater).
 */
export async function fitOfReference<T extends { rows: number }>(
  store: Store,
  model: string,
  ref: Reference,
  family: string,
  opts: {
    fresh: (stored: T) => boolean | Promise<boolean>;
    fit: () => Promise<T>;
    codec?: FitCodec<T>;
  },
): Promise<T> {
  const [fit] = await fitsOfReferences<T, { model: string; ref: Reference }>(
    store,
    [{ model, ref }],
    family,
    { fresh: opts.fresh, fitAll: async () => [await opts.fit()], codec: opts.codec },
  );
  return fit!;
}

/**
 * fitOfReference for several references at once: those without a fresh stored fit are fitted
 * together by `fitAll` (given them, answering their fits in the same order), so a family can fit
 * a batch's references in shared statements.
 */
export async function fitsOfReferences<
  T extends { rows: number },
  I extends { model: string; ref: Reference },
>(
  store: Store,
  items: readonly I[],
  family: string,
  opts: {
    fresh: (stored: T, item: I) => boolean | Promise<boolean>;
    fitAll: (items: readonly I[]) => Promise<T[]>;
    codec?: FitCodec<T>;
  },
): Promise<T[]> {
  const fits: T[] = [];
  const missing: number[] = [];
  const kept = (item: I) => keptForLater(item.ref);
  for (const [i, item] of items.entries()) {
    const stored = kept(item)
      ? await storedFit<T>(store, item.model, item.ref, family, opts.codec)
      : undefined;
    if (stored && (await opts.fresh(stored, item))) fits[i] = stored;
    else missing.push(i);
  }
  if (missing.length === 0) return fits;
  const fitted = await opts.fitAll(missing.map((i) => items[i]!));
  missing.forEach((i, j) => (fits[i] = fitted[j]!));
  const toSave = missing.map((i) => ({ ...items[i]!, fit: fits[i]! }));
  await saveFits(
    store,
    family,
    toSave.filter((s) => kept(s) && s.fit.rows > 0),
    opts.codec,
  );
  return fits;
}

/**
 * References up to this many rows are fitted together with the other targets' of a batch (a
 * statement's own ~10–15 ms is most of a small reference's cost); larger ones alone. It also
 * bounds a batched fit statement: 200 targets (a pass's batch) read at most 4M rows, sorted in
 * one window function for the PCA blocks.
 */
export const BATCH_FIT_ROWS = 20_000;

/**
 * A family's fit of each target's reference (by index; undefined where the target has no
 * reference or it has no rows), stored or fitted now: the references to fit of up to
 * BATCH_FIT_ROWS rows in shared statements per kind of reference (datasets, time ranges:
 * `fitMany`, given a row set of them and each one's row count by target), larger ones one by one
 * (`fitOne`), where a statement's own cost is small beside the rows'. `fresh`: whether a stored
 * fit still describes `count` rows.
 */
export async function referenceFitsOf<T extends { rows: number }>(
  store: Store,
  targets: readonly ({ scope: Scope; ref: Reference } | undefined)[],
  family: string,
  opts: {
    fresh: (stored: T, count: number) => boolean;
    fitOne: (rows: RowSet, count: number) => Promise<T>;
    fitMany: (rows: RowSet, counts: ReadonlyMap<string, number>) => Promise<Map<string, T>>;
    codec?: FitCodec<T>;
  },
): Promise<(T | undefined)[]> {
  const items = await Promise.all(
    targets.map(
      async (t) =>
        t && { ...t, model: t.scope.model, count: await referenceRowCount(store, t.ref) },
    ),
  );
  type Item = NonNullable<(typeof items)[number]>;
  const counted = items.filter((item): item is Item => item !== undefined && item.count > 0);
  const fits = await fitsOfReferences<T, Item>(store, counted, family, {
    fresh: (stored, item) => opts.fresh(stored, item.count),
    codec: opts.codec,
    fitAll: async (toFit) => {
      const out = new Map<Item, T>();
      for (const item of toFit.filter((item) => item.count > BATCH_FIT_ROWS))
        out.set(item, await opts.fitOne(item.ref.rows, item.count));
      const small = toFit.filter((item) => item.count <= BATCH_FIT_ROWS);
      for (const group of referenceRowSetsOf(small)) {
        const of = group.of as readonly Item[];
        const byTarget = await opts.fitMany(
          group.rows,
          new Map(of.map((item) => [targetKey(item.scope), item.count])),
        );
        for (const item of of) out.set(item, byTarget.get(targetKey(item.scope))!);
      }
      return toFit.map((item) => out.get(item)!);
    },
  });
  const fitOf = new Map(counted.map((item, i) => [item, fits[i]!]));
  return items.map((item) => item && fitOf.get(item));
}

/** A family's stored fit, as a batched pass looked it up (known.ts) or read now. */
export async function storedFit<T>(
  store: Store,
  model: string,
  ref: Reference,
  family: string,
  codec: Pick<FitCodec<T>, 'parse'> = JSON_CODEC,
): Promise<T | undefined> {
  const known = knownOf(ref);
  if (!known) return loadFit<T>(store, model, ref.key, family, codec);
  const text = known.fits.get(family);
  return text === undefined ? undefined : codec.parse(text);
}
