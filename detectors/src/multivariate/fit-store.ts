import { Tables, type Store } from '@osprey/db';

/** A family's fitted state as stored in reference_fits: the latest for (model, reference, family). */
export async function loadFit<T>(
  store: Store,
  model: string,
  referenceKey: string,
  family: string,
): Promise<T | undefined> {
  const rows = await store.query<{ fit: string }>(
    `SELECT argMax(fit, computed_at) AS fit FROM ${Tables.referenceFits}
     WHERE model = {model:String} AND reference_key = {key:String} AND family = {family:String}
     HAVING count() > 0`,
    { model, key: referenceKey, family },
  );
  return rows[0] ? (JSON.parse(rows[0].fit) as T) : undefined;
}

export async function saveFit(
  store: Store,
  model: string,
  referenceKey: string,
  family: string,
  fit: object,
): Promise<void> {
  await store.insert(Tables.referenceFits, [
    { model, reference_key: referenceKey, family, fit: JSON.stringify(fit) },
  ]);
}
