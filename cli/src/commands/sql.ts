import { runReadOnlySql } from '@osprey/db';
import { withStore } from './with-store';

/** `osprey sql "<SELECT …>"`: read-only query against the configured store, TSV out. */
export async function sqlCommand(statement: string | undefined): Promise<void> {
  if (!statement) throw new Error('usage: osprey sql "SELECT …"');
  await withStore({ migrate: false }, async (store) => {
    process.stdout.write(await runReadOnlySql(store, statement));
  });
}
