import type { QueryParams, Store } from '@osprey/db';
import type { RowSet } from '../../sql/rows';

/**
 * The nanny's inputs, as NannyML's DLE takes them: the model's features plus its prediction.
 * A row's numeric and boolean features are numbers; a categorical feature is the rank of its
 * category by mean loss on the reference (what a tree would sort the categories by to split them),
 * so one ordered cut separates low-loss from high-loss categories. Missing features and categories
 * the reference never had are NaN, which every cut sends left (oblivious-trees.ts).
 */
export type InputSource = 'num' | 'cat' | 'bool' | 'prediction';

export interface NannyInput {
  source: InputSource;
  /** The feature's name ('' for the prediction). */
  name: string;
}

/** The features that the most reference rows carry are the inputs, at most this many. */
export const MAX_FEATURES = 64;

/** The features of the reference rows (by how many rows carry them), then the prediction. */
export async function nannyInputs(store: Store, rows: RowSet): Promise<NannyInput[]> {
  const keys = (map: string, source: InputSource) =>
    `SELECT '${source}' AS source, CAST(k, 'String') AS name, count() AS n
     FROM (${rows.sql}) ARRAY JOIN mapKeys(${map}) AS k GROUP BY name`;
  const found = await store.query<{ source: InputSource; name: string }>(
    `SELECT source, name FROM (
       ${keys('num_features', 'num')} UNION ALL ${keys('cat_features', 'cat')}
       UNION ALL ${keys('bool_features', 'bool')})
     ORDER BY n DESC, source, name LIMIT ${MAX_FEATURES}`,
    rows.params,
  );
  const features = found.sort((a, b) =>
    a.source === b.source ? (a.name < b.name ? -1 : 1) : a.source < b.source ? -1 : 1,
  );
  return [...features, { source: 'prediction', name: '' }];
}

/**
 * SQL of input j of a row, as a number: `codes` (for a categorical input) is the query parameter
 * naming its categories in rank order. Feature names reach SQL as parameters (dle_in_<j>).
 */
export function inputSql(input: NannyInput, j: number, codes?: string): string {
  const name = `{dle_in_${j}:String}`;
  switch (input.source) {
    case 'num':
      return `if(mapContains(num_features, ${name}), num_features[${name}], nan)`;
    case 'bool':
      return `if(mapContains(bool_features, ${name}), toFloat64(bool_features[${name}]), nan)`;
    case 'prediction':
      return `ifNull(prediction_num, nan)`;
    case 'cat': {
      const rank = `toFloat64(indexOf({${codes}:Array(String)}, cat_features[${name}])) - 1`;
      return `if(mapContains(cat_features, ${name}) AND has({${codes}:Array(String)}, cat_features[${name}]), ${rank}, nan)`;
    }
  }
}

/**
 * SQL of input j as the training query reads it: numbers (NULL when missing) and categories as
 * text (NULL when missing), ranked in TypeScript once the losses are known.
 */
export function rawInputSql(input: NannyInput, j: number): string {
  const name = `{dle_in_${j}:String}`;
  switch (input.source) {
    case 'num':
      return `if(mapContains(num_features, ${name}), num_features[${name}], NULL)`;
    case 'bool':
      return `if(mapContains(bool_features, ${name}), toFloat64(bool_features[${name}]), NULL)`;
    case 'prediction':
      return `prediction_num`;
    case 'cat':
      return `if(mapContains(cat_features, ${name}), cat_features[${name}], NULL)`;
  }
}

export function inputParams(inputs: readonly NannyInput[]): QueryParams {
  return Object.fromEntries(inputs.map((input, j) => [`dle_in_${j}`, input.name]));
}

/**
 * Categories ranked by mean loss (ties by name): the rank is the input's value. `values[i]` is
 * row i's category (null when missing), `loss[i]` its loss.
 */
export function rankCategories(values: readonly (string | null)[], loss: Float64Array): string[] {
  const sums = new Map<string, { sum: number; n: number }>();
  values.forEach((v, i) => {
    if (v === null) return;
    const s = sums.get(v) ?? { sum: 0, n: 0 };
    s.sum += loss[i]!;
    s.n += 1;
    sums.set(v, s);
  });
  return [...sums]
    .map(([category, s]) => ({ category, mean: s.sum / s.n }))
    .sort((a, b) => a.mean - b.mean || (a.category < b.category ? -1 : 1))
    .map((c) => c.category);
}
