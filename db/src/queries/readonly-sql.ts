import type { Store } from '../store/store';
import { readOnlyStatement, runChecked } from './read-only-statement';

export { ReadOnlySqlError } from './read-only-statement';

/**
 * An operator's read-only query, as TSV with a header. The statement is checked with the
 * engine's parser (one read statement, no INTO OUTFILE, no table function that fetches data,
 * see read-only-statement.ts) and runs under the engine's readonly=1 setting.
 */
export async function runReadOnlySql(store: Store, sql: string): Promise<string> {
  const statement = await readOnlyStatement(store, sql);
  const rows = await runChecked(() => store.queryReadOnly<Record<string, unknown>>(statement));
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const lines = [columns.join('\t')];
  for (const row of rows) lines.push(columns.map((c) => tsvValue(row[c])).join('\t'));
  return lines.join('\n') + '\n';
}

function tsvValue(value: unknown): string {
  const text =
    value === null ? '\\N' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n');
}
