import { resolve } from 'node:path';
import type { StoreEnv } from '../config';
import type { Store } from './store';

/** CLICKHOUSE_URL set ⇒ a server; otherwise chDB in OSPREY_DATA_DIR. */
export async function createStore(env: StoreEnv): Promise<Store> {
  if (env.CLICKHOUSE_URL) {
    const { ClickHouseStore } = await import('./clickhouse-store');
    return new ClickHouseStore({
      url: env.CLICKHOUSE_URL,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE,
      cluster: Boolean(env.OSPREY_CLICKHOUSE_CLUSTER),
    });
  }
  const { ChdbStore } = await import('./chdb-store');
  return new ChdbStore(resolve(env.OSPREY_DATA_DIR, 'chdb'));
}
