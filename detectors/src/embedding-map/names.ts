import { Tables, type Store } from '@osprey/db';

/** The embedding names a model has registered (each name's dimension is claimed on first use). */
export async function embeddingNames(store: Store, model: string): Promise<string[]> {
  const rows = await store.query<{ name: string }>(
    `SELECT DISTINCT name FROM ${Tables.embeddingDimensions} WHERE model = {model:String} ORDER BY name`,
    { model },
  );
  return rows.map((r) => r.name);
}
