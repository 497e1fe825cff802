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

/**
 * Several targets' rows standardized in one statement (`rows` holds them, with `target`), each
 * against its own target's preprocessing: columns `target`, `mi` (the target's number, from 1),
 * `z` and `carry`. The preprocessing travels as arrays indexed by `mi`, the coordinates computed
 * by lambdas over them. The lambdas read each map as two plain arrays (its keys, its values): a
 * lambda that captures a map column copies it, LowCardinality keys and all, once per coordinate
 * of every row (measured on 100 models × 1,000 rows: 600 ms for the numeric coordinates, 76 ms
 * through the arrays). A category's reference share is one hash look-up (`transform`) of
 * "target, coordinate, value" in a table of the whole batch's categories, rather than each row
 * carrying its target's value lists.
 */
function batchedStandardizedRows(
  preprocessings: ReadonlyMap<string, Preprocessing>,
  rows: RowSet,
  carry = '',
): { sql: string; params: QueryParams } {
  const list = [...preprocessings.values()];
  const per = <T>(f: (p: Preprocessing) => T) => list.map(f);
  const params: QueryParams = {
    ...rows.params,
    mvb_models: [...preprocessings.keys()],
    mvb_index: list.map((_, i) => i + 1),
    mvb_nk: per((p) => p.numeric.map((e) => e.name)),
    mvb_nm: per((p) => p.numeric.map((e) => e.mean)),
    mvb_ns: per((p) => p.numeric.map((e) => e.scale)),
  };
  const arrays: string[] = [];
  const encoded = (kind: 'categorical' | 'boolean', map: string, text: (v: string) => string) => {
    // None in any model: no coordinates (and no all-empty nested arrays, which bind as the wrong
    // number of dimensions).
    if (list.every((p) => p[kind].length === 0)) return `CAST([], 'Array(Float64)')`;
    const p = `mvb_${kind[0]}`;
    params[`${p}k`] = per((q) => q[kind].map((c) => c.name));
    params[`${p}f`] = per((q) => q[kind].map((c) => c.mode));
    params[`${p}m`] = per((q) => q[kind].map((c) => c.mean));
    params[`${p}s`] = per((q) => q[kind].map((c) => c.scale));
    const shares = { keys: [] as string[], values: [] as number[] };
    list.forEach((q, t) =>
      q[kind].forEach((c, j) =>
        c.values.forEach((value, x) => {
          shares.keys.push(shareKey(t + 1, j + 1, value));
          shares.values.push(c.frequencies[x]!);
        }),
      ),
    );
    params[`${p}sk`] = shares.keys;
    params[`${p}sv`] = shares.values;
    const read = mapAsArrays(map, p, text);
    arrays.push(...read.columns);
    const arg = (name: string, type: string) => `{${p}${name}:${type}}[mi]`;
    return `arrayMap((j, k, fill, m, s) ->
        (transform(concat(toString(mi), ':', toString(j), ':', ${read.valueOf('k', 'fill')}),
                   {${p}sk:Array(String)}, {${p}sv:Array(Float64)}, 0.) - m) / s,
      arrayEnumerate(${arg('k', 'Array(Array(String))')}), ${arg('k', 'Array(Array(String))')},
      ${arg('f', 'Array(Array(String))')}, ${arg('m', 'Array(Array(Float64))')},
      ${arg('s', 'Array(Array(Float64))')})`;
  };
  const categorical = encoded('categorical', 'cat_features', (v) => `CAST(${v}, 'Array(String)')`);
  const boolean = encoded('boolean', 'bool_features', (v) => `arrayMap(b -> toString(b), ${v})`);
  const numeric = mapAsArrays('num_features', 'mvb_n');
  arrays.push(...numeric.columns);
  const z = `arrayConcat(
      arrayMap((k, m, s) -> (${numeric.valueOf('k', 'm')} - m) / s,
        {mvb_nk:Array(Array(String))}[mi], {mvb_nm:Array(Array(Float64))}[mi], {mvb_ns:Array(Array(Float64))}[mi]),
      ${categorical}, ${boolean})`;
  const sql = `
    SELECT target, mi, ${carry} ${z} AS z
    FROM (
      SELECT target, ${carry} ${arrays.join(', ')},
             transform(target, {mvb_models:Array(String)}, {mvb_index:Array(UInt32)}, toUInt32(0)) AS mi
      FROM (${rows.sql}))`;
  return { sql, params };
}

/**
 * Each row's reconstruction error (column `err`) for several targets' rows in one statement, each
 * against its own fit (batchedStandardizedRows, then rowErrors' projection with the basis as
 * arrays indexed by `mi`); columns `target`, `err` and `carry`.
 */
function batchedRowErrors(
  fits: ReadonlyMap<string, { preprocessing: Preprocessing; basis: PcaBasis }>,
  rows: RowSet,
  carry = '',
): { sql: string; params: QueryParams } {
  const list = [...fits.values()];
  const standardized = batchedStandardizedRows(
    new Map([...fits].map(([k, f]) => [k, f.preprocessing])),
    rows,
    carry,
  );
  const params: QueryParams = {
    ...standardized.params,
    mvb_center: list.map((f) => f.basis.mean),
    mvb_w: list.map((f) => f.basis.components),
    mvb_wt: list.map((f) => f.basis.mean.map((_, i) => f.basis.components.map((w) => w[i]!))),
  };
  const sql = `
    SELECT target, ${carry} L2Distance(c, arrayMap(wt -> dotProduct(wt, p), {mvb_wt:Array(Array(Array(Float64)))}[mi])) AS err
    FROM (
      SELECT target, mi, ${carry} c, arrayMap(w -> dotProduct(w, c), {mvb_w:Array(Array(Array(Float64)))}[mi]) AS p
      FROM (
        SELECT target, mi, ${carry} arrayMap((x, m) -> x - m, z, {mvb_center:Array(Array(Float64))}[mi]) AS c
        FROM (${standardized.sql})))`;
  return { sql, params };
}

/**
 * rowErrors for several targets' windows in one statement (`rows` holds them, with `target`), each
 * row against its own target's fit (batchedRowErrors). Per target (column `model`): the row count,
 * the mean error and its sample standard deviation, as the single statement gives.
 */
export function batchedErrorStatisticsSql(
  fits: ReadonlyMap<string, { preprocessing: Preprocessing; basis: PcaBasis }>,
  rows: RowSet,
): { sql: string; params: QueryParams } {
  const errors = batchedRowErrors(fits, rows);
  return {
    sql: `SELECT target AS model, count() AS n, avg(err) AS mean, stddevSampStable(err) AS std
          FROM (${errors.sql}) GROUP BY target`,
    params: errors.params,
  };
}

/**
 * The PCA fit's moments of several references' standardized rows in one statement (`rows` holds
 * them, with `target`), each with its own preprocessing: per target, n, Σz and Σzzᵀ (d × d,
 * row-major). As arrays summed per element: for a batch of small references, where the single
 * statement's scalar sums would need a statement per reference.
 */
export function batchedMomentsSql(
  preprocessings: ReadonlyMap<string, Preprocessing>,
  rows: RowSet,
): { sql: string; params: QueryParams } {
  const standardized = batchedStandardizedRows(preprocessings, rows);
  return {
    sql: `SELECT target, count() AS n, sumForEach(z) AS sum,
                 sumForEach(arrayFlatten(arrayMap(a -> arrayMap(b -> a * b, z), z))) AS products
          FROM (${standardized.sql}) GROUP BY target`,
    params: standardized.params,
  };
}

/**
 * The PCA fit's blocks of several references in one statement, each against its own fit: the
 * reference's rows in time order (ties by error, as fitReconstruction), `blocks[i]` blocks of
 * reference i (`rows[i]` rows); per target, one row of arrays by block: the rows, Σ error and
 * Σ error². Each reference's (time, error) pairs are sorted as an array and cut into blocks there
 * (a window function numbering every row of the batch, and a row per block answered, cost 1.6×).
 */
export function batchedBlocksSql(
  fits: ReadonlyMap<string, { preprocessing: Preprocessing; basis: PcaBasis }>,
  rows: RowSet,
  sizes: { blocks: number[]; rows: number[] },
): { sql: string; params: QueryParams } {
  const timed = { sql: `SELECT *, timestamp AS ts FROM (${rows.sql})`, params: rows.params };
  const errors = batchedRowErrors(fits, timed, 'ts,');
  const of = (name: string) =>
    `transform(target, {mvb_models:Array(String)}, {${name}:Array(UInt64)}, toUInt64(1))`;
  return {
    sql: `SELECT target, arrayMap(p -> length(p), parts) AS n, arrayMap(p -> arraySum(p), parts) AS sum,
                 arrayMap(p -> arraySum(x -> x * x, p), parts) AS squares
          FROM (
            SELECT target, arrayMap(p -> p.2, arraySort(groupArray((ts, err)))) AS errors,
                   arrayMap(i -> intDiv((i - 1) * ${of('mvb_blocks')}, ${of('mvb_rows')}), arrayEnumerate(errors)) AS blocks,
                   arraySplit((x, step) -> step != 0, errors, arrayDifference(blocks)) AS parts
            FROM (${errors.sql}) GROUP BY target)`,
    params: { ...errors.params, mvb_blocks: sizes.blocks, mvb_rows: sizes.rows },
  };
}

/**
 * A map column read as two plain arrays, `{name}_keys` and `{name}_values` (`values` converts the
 * latter), for lambdas to look keys up in without capturing the map; `valueOf(k, fallback)`: the
 * value of key `k`, else `fallback`.
 */
function mapAsArrays(map: string, name: string, values = (v: string) => v) {
  return {
    columns: [
      `CAST(mapKeys(${map}), 'Array(String)') AS ${name}_keys`,
      `${values(`mapValues(${map})`)} AS ${name}_values`,
    ],
    valueOf: (k: string, fallback: string) =>
      `if(indexOf(${name}_keys, ${k}) = 0, ${fallback}, ${name}_values[indexOf(${name}_keys, ${k})])`,
  };
}

/**
 * The batch's category-share key: target and coordinate numbers, then the value. The numbers are
 * digits only, so the first two separators delimit them whatever the value holds.
 */
function shareKey(target: number, coordinate: number, value: string): string {
  return `${target}:${coordinate}:${value}`;
}
