import { Tables, embeddingDimension, type Store } from '@osprey/db';

/**
 * The registry of embedding dimensions (db/migrations/0084): `claim` answers the dimension of
 * (model, name), which is `dimension` itself only when no claim came before it.
 */
export interface DimensionClaims {
  claim(model: string, name: string, dimension: number): Promise<number>;
}

/**
 * Claims in the store. The rule, the same on every replica: the earliest claim wins
 * (db/src/queries/embedding-dimensions.ts). A collector with no claim to read inserts its own and
 * reads again, so two replicas that met a new name at once both answer the winner, unless one read
 * before the other's insert was visible (a window of milliseconds, once per name): the readers of
 * the embedding tables keep only vectors of the registered length.
 */
export class StoreDimensionClaims implements DimensionClaims {
  constructor(private readonly store: Store) {}

  async claim(model: string, name: string, dimension: number): Promise<number> {
    const registered = await embeddingDimension(this.store, model, name);
    if (registered !== undefined) return registered;
    await this.store.insert(Tables.embeddingDimensions, [{ model, name, dimension }]);
    return (await embeddingDimension(this.store, model, name)) ?? dimension;
  }
}
