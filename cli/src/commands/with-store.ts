import { parseEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { commandEnv } from '../env';

/** Opens the configured store (migrated) for one command and closes it afterwards. */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const env = parseEnv(commandEnv);
  const store = await createStore(env);
  try {
    await migrate(store, { retentionDays: env.OSPREY_RETENTION_DAYS });
    return await fn(store);
  } finally {
    await store.close();
  }
}
