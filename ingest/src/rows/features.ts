/** The feature and prediction columns predictions and reference_rows share, in row order. */
export const FEATURE_COLUMNS = [
  'num_features',
  'cat_features',
  'bool_features',
  'null_features',
  'prediction_num',
  'prediction_label',
  'prediction_vec',
] as const;

/** The values of FEATURE_COLUMNS in a row. */
export type FeatureValues = [
  num_features: Record<string, number>,
  cat_features: Record<string, string>,
  bool_features: Record<string, boolean>,
  null_features: string[],
  prediction_num: number | null,
  prediction_label: string | null,
  prediction_vec: number[],
];

/** A row's features split by type, so each lands in its typed map (numbers never parse strings). */
export interface SplitFeatures {
  num: Record<string, number>;
  cat: Record<string, string>;
  bool: Record<string, boolean>;
  nulls: string[];
}

export function splitFeatures(
  features: Record<string, number | string | boolean | null>,
): SplitFeatures {
  const out: SplitFeatures = { num: {}, cat: {}, bool: {}, nulls: [] };
  for (const name in features) {
    const value = features[name];
    if (typeof value === 'number') out.num[name] = value;
    else if (typeof value === 'string') out.cat[name] = value;
    else if (typeof value === 'boolean') out.bool[name] = value;
    else out.nulls.push(name);
  }
  return out;
}

/** The three prediction columns a prediction fills: number, label or vector. */
export function splitPrediction(
  p: number | string | number[] | undefined,
): [num: number | null, label: string | null, vec: number[]] {
  return [
    typeof p === 'number' ? p : null,
    typeof p === 'string' ? p : null,
    Array.isArray(p) ? p : [],
  ];
}
