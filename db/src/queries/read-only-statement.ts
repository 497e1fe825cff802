import { StoreError, type Store } from '../store/store';
import { parseExplainAst, type AstNode } from './explain-ast';

/** A statement `osprey sql` will not run, with the reason in one line. */
export class ReadOnlySqlError extends Error {
  override readonly name = 'ReadOnlySqlError';
}

const READ_STATEMENT =
  /^(SelectWithUnionQuery|SelectIntersectExceptQuery|Show\w*|Describe\w*|Exists\w*|Explain)$/;
/** Table functions that make rows up rather than fetch them; readonly=1 allows the same kind. */
const GENERATING_TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'generate_series',
  'generateseries',
  'generaterandom',
  'values',
  'null',
  'view',
  'merge',
]);
/** Ordinary functions that read a file on this machine (chDB skips the server's path check). */
const FILE_READING_FUNCTIONS = new Set(['file', 'catboostevaluate']);

/**
 * Checks an operator's statement with ClickHouse's own parser and returns it as the engine
 * rewrote it: `formatQuery` (the text goes in as a bound parameter) refuses a second statement
 * and drops comments, and `EXPLAIN AST` of that one statement shows what it does. Every query
 * here already runs under readonly=1; this adds what that setting leaves open in chDB (INTO
 * OUTFILE is written by the client side, `file()` reads any path) and says why in one line.
 */
export async function readOnlyStatement(store: Store, sql: string): Promise<string> {
  const statement = await canonical(store, sql);
  refuseOutputClauses(statement);
  const rows = await runChecked(() =>
    store.queryReadOnly<{ explain: string }>(`EXPLAIN AST ${statement}`),
  );
  const ast = parseExplainAst(rows.map((row) => row.explain));
  refuseStatementKind(ast[0]);
  for (const node of ast) refuseNode(node);
  return statement;
}

async function canonical(store: Store, sql: string): Promise<string> {
  const [row] = await runChecked(() =>
    store.queryReadOnly<{ statement: string }>('SELECT formatQuery({sql:String}) AS statement', {
      sql,
    }),
  );
  return row!.statement;
}

/** The rewritten text puts each top-level clause at the start of a line, and escapes line breaks. */
function refuseOutputClauses(statement: string): void {
  for (const line of statement.split('\n')) {
    if (line.startsWith('INTO OUTFILE')) throw intoOutfile();
    if (line.startsWith('FORMAT ')) {
      throw new ReadOnlySqlError(
        'FORMAT is not allowed: osprey sql prints tab-separated values with a header',
      );
    }
  }
}

function refuseStatementKind(root: AstNode | undefined): void {
  if (root && READ_STATEMENT.test(root.kind)) return;
  const kind = (root?.kind ?? 'unknown').replace(/Query$/, '').toUpperCase();
  throw new ReadOnlySqlError(
    `only one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN statement is allowed, not ${kind}`,
  );
}

function refuseNode(node: AstNode): void {
  // A statement's own children that are literals are its INTO OUTFILE (path, compression, level).
  if (node.depth === 1 && node.kind === 'Literal') throw intoOutfile();
  if (node.kind !== 'Function' || !node.name) return;
  const name = node.name.toLowerCase();
  if (node.parent?.kind === 'TableExpression' && !GENERATING_TABLE_FUNCTIONS.has(name)) {
    throw new ReadOnlySqlError(
      `table function ${node.name}() is not allowed: osprey sql reads osprey's tables, not files, URLs or other servers`,
    );
  }
  if (FILE_READING_FUNCTIONS.has(name)) {
    throw new ReadOnlySqlError(
      `function ${node.name}() is not allowed: it reads files on the machine that runs osprey`,
    );
  }
}

function intoOutfile(): ReadOnlySqlError {
  return new ReadOnlySqlError(
    'INTO OUTFILE is not allowed: osprey sql writes no files (redirect its output instead)',
  );
}

/** Runs a query and words the engine's refusal as one line. */
export async function runChecked<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    throw new ReadOnlySqlError(refusal(err), { cause: err });
  }
}

function refusal(err: StoreError): string {
  const message = engineMessage(err.message);
  if (err.type === 'READONLY') return `refused, osprey sql is read-only: ${message}`;
  if (err.type !== 'SYNTAX_ERROR') return message;
  if (/Empty query/.test(message)) return 'the statement is empty';
  if (/Multi-statements are not allowed/.test(message)) {
    return "only one statement is allowed: remove what follows the first ';'";
  }
  return message;
}

/** `Code: 62. DB::Exception: Syntax error: … : In scope SELECT …. (SYNTAX_ERROR) (version …)` */
function engineMessage(message: string): string {
  return message
    .replace(/Code: \d+\. DB::Exception: /g, '')
    .replace(/: In scope [\s\S]*$/, '')
    .replace(/(\s*\([A-Z][A-Z0-9_]+\)|\s*\(version [^)]*\)|\.)+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
