import type { Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';

/** A migrated chDB store in `dir` (in process, 90 days' retention), as every benchmark opens it. */
export async function openBenchStore(dir: string): Promise<Store> {
  const store = await createStore({
    OSPREY_DATA_DIR: dir,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'default',
    OSPREY_RETENTION_DAYS: 90,
  });
  await migrate(store, { retentionDays: 90 });
  return store;
}
