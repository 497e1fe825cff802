import { resolve } from 'node:path';
import { parseEnv, type Store } from '@osprey/db';
import { clusterTarget, migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { commandEnv } from '../env';
import { heldByServer, isOpenFailure, serverHoldingStore } from './via-server';

/**
 * Opens the configured store for one command and closes it afterwards. Commands that write
 * (migrate, keys) bring the schema up to date first; read-only ones (sql) leave it as it is.
 * While an embedded server holds the data directory, the store cannot be opened here: commands
 * that can go through its API check `serverHoldingStore` first; for the others, `whileServerRuns`
 * is the one line that says what to do.
 */
export async function withStore<T>(
  opts: { migrate: boolean; whileServerRuns: string },
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const env = parseEnv(commandEnv);
  const server = serverHoldingStore(env);
  if (server) throw heldByServer(env, server, opts.whileServerRuns);
  let store: Store;
  try {
    store = await createStore(env);
  } catch (error) {
    if (!isOpenFailure(error)) throw error;
    throw new Error(
      `cannot open the data directory ${resolve(env.OSPREY_DATA_DIR)} (ClickHouse's reason is above; usually another process holds it, such as an osprey server without server.json): ${opts.whileServerRuns}`,
    );
  }
  try {
    if (opts.migrate) {
      await migrate(store, {
        retentionDays: env.OSPREY_RETENTION_DAYS,
        cluster: clusterTarget(env),
      });
    }
    return await fn(store);
  } finally {
    await store.close();
  }
}
