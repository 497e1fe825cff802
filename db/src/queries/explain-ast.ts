/** One node of ClickHouse's `EXPLAIN AST` output: `Function file (alias f) (children 1)`. */
export interface AstNode {
  depth: number;
  /** The node's class: SelectWithUnionQuery, Function, TableExpression, Literal, … */
  kind: string;
  /** What follows the class, when it names something: the function, identifier or literal. */
  name?: string;
  parent?: AstNode;
}

/**
 * Reads `EXPLAIN AST`'s indented tree, one row per node. The engine prints identifiers raw, so a
 * row's text may hold a line break: it belongs to that node.
 */
export function parseExplainAst(lines: readonly string[]): AstNode[] {
  const nodes: AstNode[] = [];
  const open: AstNode[] = [];
  for (const line of lines) {
    const match = /^( *)(\S+)(?: +([\s\S]*))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length;
    const rest = match[3] ?? '';
    const name = rest.startsWith('(') ? undefined : /^\S+/.exec(rest)?.[0];
    while (open.length > 0 && open[open.length - 1]!.depth >= depth) open.pop();
    const node: AstNode = { depth, kind: match[2]!, name, parent: open[open.length - 1] };
    nodes.push(node);
    open.push(node);
  }
  return nodes;
}
