import { runReadOnlySql } from '@osprey/db';
import { withStore } from './with-store';

/** `osprey sql "<SELECT …>"`: read-only query against the configured store, TSV out. */
export async function sqlCommand(statement: string | undefined): Promise<void> {
  if (!statement) throw new Error('usage: osprey sql "SELECT …"');
  const whileServerRuns =
    'stop it to query from here (chDB opens a data directory in one process only), or set CLICKHOUSE_URL to share a ClickHouse server';
  await withStore({ migrate: false, whileServerRuns }, async (store) => {
    process.stdout.write(await runReadOnlySql(store, statement));
  });
}
