import type { Store } from '../store/store';
import { Tables } from '../tables';

/**
 * The dimension of a (model, embedding name) among its claims (db/migrations/0084): the earliest
 * claim wins, by registered_at, then the smaller dimension. The one place the rule is spelled:
 * the collector checks events with it, and readers of prediction_embeddings keep only vectors of
 * this length (a replica could accept a batch of another dimension in the rare first-claim race).
 */
export const REGISTERED_DIMENSION = 'argMin(dimension, (registered_at, dimension))';

/** The registered dimension of one (model, name), or undefined before its first vector. */
export async function embeddingDimension(
  store: Store,
  model: string,
  name: string,
): Promise<number | undefined> {
  const [row] = await store.query<{ dimension: number; claims: string | number }>(
    `SELECT ${REGISTERED_DIMENSION} AS dimension, count() AS claims
     FROM ${Tables.embeddingDimensions}
     WHERE model = {model:String} AND name = {name:String}`,
    { model, name },
  );
  return row && Number(row.claims) > 0 ? Number(row.dimension) : undefined;
}

/** Every embedding name of a model with its registered dimension. */
export async function embeddingDimensions(
  store: Store,
  model: string,
): Promise<Map<string, number>> {
  const rows = await store.query<{ name: string; dimension: number }>(
    `SELECT name, ${REGISTERED_DIMENSION} AS dimension FROM ${Tables.embeddingDimensions}
     WHERE model = {model:String} GROUP BY name ORDER BY name`,
    { model },
  );
  return new Map(rows.map((r) => [r.name, Number(r.dimension)]));
}
