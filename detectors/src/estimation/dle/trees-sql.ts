import type { Ensemble, ObliviousTree } from './oblivious-trees';

/**
 * An ensemble as one ClickHouse expression of the input columns `x` (x[f] is the SQL of input f):
 * the base plus, per tree, its leaf values as an array literal indexed by the row's leaf,
 * Σ 2^l · (x[feature_l] > cut_l). The terms are added in the ensemble's order, as predictRow adds
 * them, so SQL and TypeScript give the same number. The numbers are the fitted model's own, never
 * input from outside; each is checked finite (or −∞, a cut that only NaN stays left of).
 */
export function ensembleSql(model: Ensemble, x: readonly string[]): string {
  return [literal(model.base), ...model.trees.map((tree) => treeSql(tree, x))].join(' + ');
}

function treeSql(tree: ObliviousTree, x: readonly string[]): string {
  if (tree.features.length === 0) return literal(tree.leaves[0]!);
  const leaf = tree.features
    .map((f, l) => `${1 << l} * (${x[f]!} > ${literal(tree.cuts[l]!)})`)
    .join(' + ');
  return `[${tree.leaves.map(literal).join(', ')}][1 + ${leaf}]`;
}

function literal(v: number): string {
  if (v === -Infinity) return '-inf';
  if (!Number.isFinite(v)) throw new Error(`a fitted nanny model holds ${v}`);
  // Always a Float64 literal, so an array of whole numbers is not typed as integers.
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
