import { storeEnv } from '../config';
import { ClickHouseStore, type ClickHouseConfig } from './clickhouse-store';
import { createStore } from './create-store';
import type { Store } from './store';

/**
 * Every backend a store test runs on: chDB; the ClickHouse backend's @clickhouse/client code on
 * chDB's in-process connection; and a real ClickHouse server when CLICKHOUSE_URL is set. Opening
 * the same directory twice gives two connections to one database.
 */
export type OpenStore = (dataDir: string) => Promise<Store>;

export function storeBackends(suite: string): { name: string; open: OpenStore }[] {
  const backends: { name: string; open: OpenStore }[] = [
    { name: 'chdb', open: (dir) => createStore(storeEnv.parse({ OSPREY_DATA_DIR: dir })) },
    {
      name: '@clickhouse/client on chdb/connection',
      open: async (dir) => {
        const { createChdbConnection } = await import('chdb/connection');
        // chdb types its connection against its own copy of @clickhouse/client-common's types.
        const connection = createChdbConnection({
          path: dir,
        }) as unknown as ClickHouseConfig['connection'];
        return new ClickHouseStore({ connection });
      },
    },
  ];
  if (process.env.CLICKHOUSE_URL) {
    backends.push({
      name: 'ClickHouse server',
      open: () => createStore(storeEnv.parse(process.env)),
    });
  } else {
    console.warn(`${suite}: CLICKHOUSE_URL is not set, so the ClickHouse SERVER run was SKIPPED`);
  }
  return backends;
}
