import { Tables, type Store } from '@osprey/db';

/**
 * The registry of embedding dimensions (db/migrations/0084): `claim` answers the dimension of
 * (model, name), which is `dimension` itself only when no claim came before it.
 */
export interface DimensionClaims {
  claim(model: string, name: string, dimension: number): Promise<number>;
}

const RESOLVE = `
  SELECT argMin(dimension, (registered_at, dimension)) AS dimension, count() AS claims
  FROM ${Tables.embeddingDimensions}
  WHERE model = {model:String} AND name = {name:String}`;

/**
 * Claims in the store. The rule, the same on every replica: the earliest claim wins (by
 * registered_at, then the smaller dimension). A collector with no claim to read inserts its own
 * and reads again, so two replicas that met a new name at once both answer the winner, unless
 * one read before the other's insert was visible (a window of milliseconds, once per name): the
 * readers of the embedding tables keep only vectors of the registered length.
 */
export class StoreDimensionClaims implements DimensionClaims {
  constructor(private readonly store: Store) {}

  async claim(model: string, name: string, dimension: number): Promise<number> {
    const registered = await this.resolve(model, name);
    if (registered !== undefined) return registered;
    await this.store.insert(Tables.embeddingDimensions, [{ model, name, dimension }]);
    return (await this.resolve(model, name)) ?? dimension;
  }

  private async resolve(model: string, name: string): Promise<number | undefined> {
    const [row] = await this.store.query<{ dimension: number; claims: string | number }>(RESOLVE, {
      model,
      name,
    });
    return row && Number(row.claims) > 0 ? Number(row.dimension) : undefined;
  }
}
