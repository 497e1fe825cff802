import type { Store } from '@osprey/db';
import { categoryCountsSql, PREDICTION_KEY, type RowSet } from '../sql/rows';

/**
 * More features than this are not all projected: the covariance pass sums d² products per row.
 * The best-populated ones are kept and the rest named in the result.
 */
export const MAX_FEATURES = 64;
/**
 * Categories that get their reference share, over all features together: the most frequent of
 * each feature, an equal part each (at least MIN_CATEGORIES). Every kept category travels as a
 * query parameter, which a ClickHouse server takes in the URL (1 MiB by default). A category left
 * out encodes 0, like one the reference never had; its share was below every kept one's of its
 * feature, which bounds what that changes.
 */
export const MAX_CATEGORIES = 10_000;
const MIN_CATEGORIES = 100;

/** A numeric feature: missing → the reference mean, then standardized. */
export interface NumericEncoding {
  name: string;
  mean: number;
  scale: number;
}

/**
 * A categorical (or boolean, as 'true'/'false') feature: missing → the reference's most
 * frequent value; each value → its share of the (imputed) reference rows, unseen → 0 (NannyML's
 * CountEncoder(normalize=True)); then standardized.
 */
export interface CategoricalEncoding {
  name: string;
  mode: string;
  values: string[];
  frequencies: number[];
  mean: number;
  scale: number;
}

/** How each reference row becomes a standardized vector (NannyML's imputers, encoder, scaler). */
export interface Preprocessing {
  numeric: NumericEncoding[];
  categorical: CategoricalEncoding[];
  boolean: CategoricalEncoding[];
  /** Features beyond MAX_FEATURES, not projected. */
  left_out: string[];
}

/** sklearn's StandardScaler leaves a constant column unscaled (_handle_zeros_in_scale). */
const scaleOf = (variance: number) => {
  const scale = Math.sqrt(Math.max(0, variance));
  return scale < 10 * Number.EPSILON ? 1 : scale;
};

type NumericRow = { k: string; n: string; mean: number; var: number };
type CategoryRow = { t: 'c' | 'b'; k: string; v: string; n: string };

/**
 * The imputers, frequency encoders and scaler fitted on the reference, from one grouped pass
 * over the numeric features and one over the categories (the rows stay in ClickHouse).
 */
export async function fitPreprocessing(
  store: Store,
  rows: RowSet,
  count: number,
): Promise<Preprocessing> {
  return (await fitPreprocessingOf(store, rows, new Map([['', count]]))).get('')!;
}

/**
 * fitPreprocessing of several references in the same two statements (`rows` holds them, with
 * `target`), each by its target in `counts` (its row count); one reference's key is not read.
 */
export async function fitPreprocessingOf(
  store: Store,
  rows: RowSet,
  counts: ReadonlyMap<string, number>,
): Promise<Map<string, Preprocessing>> {
  const batch = counts.size > 1;
  const target = batch ? 'target AS m, ' : "'' AS m, ";
  const [numeric, categories] = await Promise.all([
    store.query<NumericRow & { m: string }>(
      `SELECT ${target}CAST(k, 'String') AS k, count() AS n, avg(v) AS mean, varPopStable(v) AS var
       FROM (${rows.sql}) ARRAY JOIN mapKeys(num_features) AS k, mapValues(num_features) AS v
       GROUP BY ${batch ? 'm, ' : ''}k`,
      rows.params,
    ),
    store.query<CategoryRow & { m: string }>(
      batch
        ? `SELECT m, t, k, v, n FROM (${categoryCountsSql(rows, { byModel: true })}) WHERE k != '${PREDICTION_KEY}'`
        : `SELECT '' AS m, t, k, v, n FROM (${categoryCountsSql(rows)}) WHERE k != '${PREDICTION_KEY}'`,
      rows.params,
    ),
  ]);
  const only = [...counts.keys()][0]!;
  const grouped = <R extends { m: string }>(list: readonly R[]) => {
    const by = new Map<string, R[]>();
    for (const r of list) {
      const key = batch ? r.m : only;
      const of = by.get(key);
      if (of) of.push(r);
      else by.set(key, [r]);
    }
    return by;
  };
  const numericOf = grouped(numeric);
  const categoriesOf = grouped(categories);
  return new Map(
    [...counts].map(([key, count]) => [
      key,
      preprocessingOf(numericOf.get(key) ?? [], categoriesOf.get(key) ?? [], count),
    ]),
  );
}

/** One reference's preprocessing from its numeric summary and category counts. */
function preprocessingOf(
  numeric: readonly NumericRow[],
  categories: readonly CategoryRow[],
  count: number,
): Preprocessing {
  const present = new Map<string, { kind: 'numeric' | 'c' | 'b'; n: number }>();
  const keep = (name: string, kind: 'numeric' | 'c' | 'b', n: number) => {
    // A name logged with values of two types keeps the type most of its values have.
    const seen = present.get(name);
    if (!seen || seen.n < n) present.set(name, { kind, n });
  };
  for (const r of numeric) keep(r.k, 'numeric', Number(r.n));
  const counted = new Map<string, { kind: 'c' | 'b'; counts: Map<string, number> }>();
  for (const r of categories) {
    const c = counted.get(r.k) ?? { kind: r.t, counts: new Map<string, number>() };
    c.counts.set(r.v, Number(r.n));
    counted.set(r.k, c);
  }
  for (const [k, c] of counted)
    keep(
      k,
      c.kind,
      [...c.counts.values()].reduce((a, b) => a + b, 0),
    );

  const ranked = [...present].sort((a, b) => b[1].n - a[1].n || cmp(a[0], b[0]));
  const chosen = new Set(ranked.slice(0, MAX_FEATURES).map(([name]) => name));
  const out: Preprocessing = {
    numeric: [],
    categorical: [],
    boolean: [],
    left_out: ranked.slice(MAX_FEATURES).map(([name]) => name),
  };
  for (const r of numeric) {
    if (!chosen.has(r.k) || present.get(r.k)!.kind !== 'numeric') continue;
    // Mean imputation keeps the mean and adds no spread: var over all rows = Σ(x − mean)² / count.
    out.numeric.push({ name: r.k, mean: r.mean, scale: scaleOf((r.var * Number(r.n)) / count) });
  }
  const encoded = [...counted].filter(
    ([name, c]) => chosen.has(name) && present.get(name)!.kind === c.kind,
  );
  const limit = Math.max(MIN_CATEGORIES, Math.floor(MAX_CATEGORIES / Math.max(1, encoded.length)));
  for (const [name, c] of encoded) {
    (c.kind === 'b' ? out.boolean : out.categorical).push(
      frequencyEncoding(name, c.counts, count, limit),
    );
  }
  for (const list of [out.numeric, out.categorical, out.boolean])
    list.sort((a, b) => cmp(a.name, b.name));
  return out;
}

/**
 * Most-frequent imputation then frequency encoding: the missing rows join the most frequent
 * value (ties: the smallest, as sklearn's SimpleImputer), and each value's code is its share of
 * all rows. The code's mean and spread over the reference rows standardize it.
 */
export function frequencyEncoding(
  name: string,
  counts: Map<string, number>,
  rows: number,
  limit = MAX_CATEGORIES,
): CategoricalEncoding {
  const entries = [...counts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
  const mode = entries[0]![0];
  const present = entries.reduce((a, [, n]) => a + n, 0);
  const imputed = entries.map(([v, n]) => [v, v === mode ? n + rows - present : n] as const);
  const frequency = imputed.map(([v, n]) => [v, n / rows] as const);
  const mean = frequency.reduce((a, [, f]) => a + f * f, 0);
  const variance = frequency.reduce((a, [, f]) => a + f * (f - mean) ** 2, 0);
  const kept = frequency.slice(0, limit);
  return {
    name,
    mode,
    values: kept.map(([v]) => v),
    frequencies: kept.map(([, f]) => f),
    mean,
    scale: scaleOf(variance),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function featureCount(p: Preprocessing): number {
  return p.numeric.length + p.categorical.length + p.boolean.length;
}
