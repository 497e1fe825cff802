import type { QueryParams } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import type { PcaBasis } from './pca';
import type { CategoricalEncoding, Preprocessing } from './preprocess';

/**
 * The fitted preprocessing as bound parameters, one set per coordinate of the row vector (numeric
 * features, then categorical, then boolean): the feature's name, its fill value, the category
 * codes, its mean and scale. Each coordinate is its own SQL expression rather than one lambda over
 * arrays of names: a lambda that reads a row's map copies the map once per element (measured
 * 20× slower).
 */
export function preprocessingParams(p: Preprocessing): QueryParams {
  const params: QueryParams = {};
  coordinates(p).forEach((c, i) => {
    params[`mv_${i}_key`] = c.encoding.name;
    params[`mv_${i}_mean`] = c.encoding.mean;
    params[`mv_${i}_scale`] = c.encoding.scale;
    if (c.kind !== 'numeric') {
      const e = c.encoding as CategoricalEncoding;
      params[`mv_${i}_fill`] = e.mode;
      params[`mv_${i}_values`] = e.values;
      params[`mv_${i}_freq`] = e.frequencies;
    }
  });
  return params;
}

type Coordinate =
  | { kind: 'numeric'; encoding: Preprocessing['numeric'][number] }
  | { kind: 'categorical' | 'boolean'; encoding: CategoricalEncoding };

function coordinates(p: Preprocessing): Coordinate[] {
  return [
    ...p.numeric.map((encoding) => ({ kind: 'numeric' as const, encoding })),
    ...p.categorical.map((encoding) => ({ kind: 'categorical' as const, encoding })),
    ...p.boolean.map((encoding) => ({ kind: 'boolean' as const, encoding })),
  ];
}

/** The PCA basis as bound parameters: its mean, each component and each coordinate's loadings. */
export function basisParams(basis: PcaBasis): QueryParams {
  const params: QueryParams = { mv_center: basis.mean };
  basis.components.forEach((w, j) => (params[`mv_w${j}`] = w));
  basis.mean.forEach((_, i) => (params[`mv_wt${i}`] = basis.components.map((w) => w[i]!)));
  return params;
}

/**
 * Coordinate i of a row, standardized: a missing feature (absent from its map) takes the fill
 * value; a category becomes its reference share through `transform` (a hash lookup; a category
 * the reference never had → 0, as NannyML's CountEncoder gives unseen values).
 */
function coordinateSql(c: Coordinate, i: number): string {
  const param = (name: string, type: string) => `{mv_${i}_${name}:${type}}`;
  const key = param('key', 'String');
  const standardized = (x: string) =>
    `(${x} - ${param('mean', 'Float64')}) / ${param('scale', 'Float64')}`;
  if (c.kind === 'numeric') {
    return standardized(
      `ifNull(arrayElementOrNull(num_features, ${key}), ${param('mean', 'Float64')})`,
    );
  }
  // Booleans as 'true' / 'false', as the reference's category counts spell them.
  const present =
    c.kind === 'categorical'
      ? `arrayElementOrNull(cat_features, ${key})`
      : `toString(arrayElementOrNull(bool_features, ${key}))`;
  const value = `ifNull(${present}, ${param('fill', 'String')})`;
  return standardized(
    `transform(${value}, ${param('values', 'Array(String)')}, ${param('freq', 'Array(Float64)')}, 0.)`,
  );
}

/** Each row's standardized vector `z` (imputed, encoded, scaled) beside the columns `carry` names. */
export function standardizedRows(p: Preprocessing, rows: RowSet, carry = ''): string {
  return `SELECT ${carry} [${coordinates(p).map(coordinateSql).join(',\n ')}] AS z FROM (${rows.sql})`;
}

/**
 * Each row's reconstruction error ‖c − W(Wᵀc)‖ (column `err`), c = z − μ the centred row and W
 * the kept components: projected (one dot product per component) and back (one per coordinate),
 * then the distance. The residual is formed coordinate by coordinate rather than as
 * √(‖c‖² − ‖Wᵀc‖²): the same number, without the cancellation that difference suffers for rows
 * lying close to the components' plane.
 */
export function rowErrors(
  fit: { preprocessing: Preprocessing; basis: PcaBasis },
  rows: RowSet,
  carry = '',
): string {
  const k = fit.basis.components.length;
  const d = fit.basis.mean.length;
  const projected = Array.from({ length: k }, (_, j) => `dotProduct({mv_w${j}:Array(Float64)}, c)`);
  const back = Array.from({ length: d }, (_, i) => `dotProduct({mv_wt${i}:Array(Float64)}, p)`);
  return `SELECT ${carry} L2Distance(c, [${back.join(', ')}]) AS err
    FROM (
      SELECT ${carry} c, [${projected.join(', ')}] AS p
      FROM (
        SELECT ${carry} arrayMap((x, m) -> x - m, z, {mv_center:Array(Float64)}) AS c
        FROM (${standardizedRows(fit.preprocessing, rows, carry)})))`;
}
