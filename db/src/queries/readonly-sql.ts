import type { Store } from '../store/store';

const READ_ONLY = /^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN)\b/i;

/**
 * An operator's read-only query, as TSV with a header. Guarded twice: the statement must start
 * with a read keyword, and the session runs it with readonly=2 so the engine itself refuses writes.
 */
export async function runReadOnlySql(store: Store, sql: string): Promise<string> {
  const statement = sql.trim().replace(/;\s*$/, '');
  if (!READ_ONLY.test(statement) || statement.includes(';')) {
    throw new Error('only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed');
  }
  const rows = await store.query<Record<string, unknown>>(`${statement} SETTINGS readonly = 2`);
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
