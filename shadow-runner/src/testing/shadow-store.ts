import { join } from 'node:path';
import { storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { shadowEnv } from '../config';
import { InferencePool } from '../inference/pool';
import { createModels, type Models } from '../models';

/** What the runner tests start from: a migrated chDB store in `dir`, its models, a CPU pool. */
export async function openShadowStore(
  dir: string,
): Promise<{ store: Store; models: Models; pool: InferencePool }> {
  const store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 3650 });
  const models = createModels(store, {
    ...shadowEnv.parse({ OSPREY_EP: 'cpu' }),
    OSPREY_DATA_DIR: join(dir, 'data'),
  });
  return { store, models, pool: new InferencePool({ ep: 'cpu' }) };
}
