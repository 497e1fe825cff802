import type { QueryParams } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import type { PcaBasis } from './pca';
import type { CategoricalEncoding, Preprocessing } from './preprocess';

/**
 * The fitted preprocessing as bound array parameters (prefix mv_): the names, fill values,
 * category lists and frequencies, means and scales, in the order of the vector's coordinates
 * (numeric, categorical, boolean).
 */
export function preprocessingParams(p: Preprocessing): QueryParams {
  const categorical = (prefix: string, list: CategoricalEncoding[]) => ({
    [`mv_${prefix}_keys`]: list.map((e) => e.name),
    [`mv_${prefix}_fill`]: list.map((e) => e.mode),
    [`mv_${prefix}_values`]: list.map((e) => e.values),
    [`mv_${prefix}_freq`]: list.map((e) => e.frequencies),
    [`mv_${prefix}_mean`]: list.map((e) => e.mean),
    [`mv_${prefix}_scale`]: list.map((e) => e.scale),
  });
  return {
    mv_num_keys: p.numeric.map((e) => e.name),
    mv_num_mean: p.numeric.map((e) => e.mean),
    mv_num_scale: p.numeric.map((e) => e.scale),
    ...categorical('cat', p.categorical),
    ...categorical('bool', p.boolean),
  };
}

/** The PCA basis as bound parameters: its mean, its components (k × d) and their transpose (d × k). */
export function basisParams(basis: PcaBasis): QueryParams {
  const d = basis.mean.length;
  return {
    mv_center: basis.mean,
    mv_basis: basis.components,
    mv_basis_t: Array.from({ length: d }, (_, i) => basis.components.map((w) => w[i]!)),
  };
}

// A category the reference never had has index 0, and element 0 of a ClickHouse array is the
// default value: its code is 0, as NannyML's CountEncoder gives unseen values.
const encoded = (prefix: string, value: (k: string) => string) =>
  `arrayMap((k, fill, vals, freq, m, s) -> (freq[indexOf(vals, if(${value('k')}))] - m) / s,
     {mv_${prefix}_keys:Array(String)}, {mv_${prefix}_fill:Array(String)},
     {mv_${prefix}_values:Array(Array(String))}, {mv_${prefix}_freq:Array(Array(Float64))},
     {mv_${prefix}_mean:Array(Float64)}, {mv_${prefix}_scale:Array(Float64)})`;

/**
 * Each row's standardized vector `z` (imputed, encoded, scaled) beside the columns `carry`
 * names: missing features (absent from their map) take the reference's fill value.
 */
export function standardizedRows(rows: RowSet, carry = ''): string {
  return `SELECT ${carry} arrayConcat(
      arrayMap((k, m, s) -> (if(mapContains(num_features, k), num_features[k], m) - m) / s,
        {mv_num_keys:Array(String)}, {mv_num_mean:Array(Float64)}, {mv_num_scale:Array(Float64)}),
      ${encoded('cat', (k) => `mapContains(cat_features, ${k}), cat_features[${k}], fill`)},
      ${encoded('bool', (k) => `mapContains(bool_features, ${k}), if(bool_features[${k}], 'true', 'false'), fill`)}
    ) AS z
    FROM (${rows.sql})`;
}

/**
 * Each row's reconstruction error ‖z − ẑ‖ (column `err`), ẑ = μ + W(Wᵀ(z − μ)) the row projected
 * on the kept components and back. The residual is formed coordinate by coordinate rather than
 * as √(‖z − μ‖² − ‖Wᵀ(z − μ)‖²): the same number, without the cancellation that difference
 * suffers for rows lying close to the components' plane.
 */
export function rowErrors(rows: RowSet, carry = ''): string {
  return `SELECT ${carry} sqrt(arraySum(arrayMap(
             (x, wt) -> pow(x - dotProduct(wt, p), 2), c, {mv_basis_t:Array(Array(Float64))}))) AS err
    FROM (
      SELECT ${carry} c, arrayMap(w -> dotProduct(w, c), {mv_basis:Array(Array(Float64))}) AS p
      FROM (
        SELECT ${carry} arrayMap((x, m) -> x - m, z, {mv_center:Array(Float64)}) AS c
        FROM (${standardizedRows(rows, carry)})))`;
}
