import { parseEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { commandEnv } from '../env';

/**
 * Opens the configured store for one command and closes it afterwards. Commands that write
 * (migrate, keys) bring the schema up to date first; read-only ones (sql) leave it as it is.
 */
export async function withStore<T>(
  opts: { migrate: boolean },
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const env = parseEnv(commandEnv);
  const store = await createStore(env);
  try {
    if (opts.migrate) await migrate(store, { retentionDays: env.OSPREY_RETENTION_DAYS });
    return await fn(store);
  } finally {
    await store.close();
  }
}
