import { Tables, type QueryParams } from '@osprey/db';

/**
 * A set of rows to compare, as a subquery over `predictions` or `reference_rows` (both have the
 * feature and prediction columns). Its parameters carry a prefix of their own so two row sets can
 * sit in one query.
 */
export interface RowSet {
  sql: string;
  params: QueryParams;
}

/** A tag filter: only rows whose tag `key` equals `value`. */
export interface Segment {
  key: string;
  value: string;
}

export function segmentLabel(segment: Segment | undefined): string {
  return segment ? `${segment.key}=${segment.value}` : '';
}

/** Logged predictions of a model in [from, to), optionally of one version and one segment. */
export function predictionRows(
  prefix: string,
  opts: { model: string; from: number; to: number; version?: string; segment?: Segment },
): RowSet {
  const p = (name: string) => `${prefix}_${name}`;
  const where = [
    `model = {${p('model')}:String}`,
    `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
    `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
  ];
  const params: QueryParams = {
    [p('model')]: opts.model,
    [p('from')]: opts.from,
    [p('to')]: opts.to,
  };
  if (opts.version !== undefined) {
    where.push(`version = {${p('version')}:String}`);
    params[p('version')] = opts.version;
  }
  addSegment(where, params, p, opts.segment);
  return {
    sql: `SELECT *, is_error FROM ${Tables.predictions} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/**
 * The predictions of several scopes, each in its own [from, to), as one row set whose statements
 * group by `model`: a batch of whole-model scopes of distinct models (one statement serves every
 * model of a scheduler pass), or a single scope of any kind. A statement's fixed cost is what a
 * small model pays, so a batch costs each model a fraction of its own statement.
 */
export function predictionRowsOf(
  prefix: string,
  ranges: readonly { scope: RowScope; from: number; to: number }[],
): RowSet {
  if (ranges.length === 1) {
    const [{ scope, from, to }] = ranges as [(typeof ranges)[number]];
    return predictionRows(prefix, { ...scope, from, to });
  }
  const p = (name: string) => `${prefix}_${name}`;
  const models = ranges.map((r) => r.scope.model);
  if (ranges.some((r) => r.scope.version !== undefined || r.scope.segment !== undefined))
    throw new Error('a batch of scopes holds whole models only');
  if (new Set(models).size !== models.length) throw new Error('a batch holds each model once');
  const from = Math.min(...ranges.map((r) => r.from));
  const to = Math.max(...ranges.map((r) => r.to));
  const where = [
    `model IN {${p('models')}:Array(String)}`,
    `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
    `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
  ];
  const params: QueryParams = { [p('models')]: models, [p('from')]: from, [p('to')]: to };
  // Each model's own range, where they differ: looked up by model per row.
  if (ranges.some((r) => r.from !== from || r.to !== to)) {
    const of = (name: string) =>
      `transform(CAST(model, 'String'), {${p('models')}:Array(String)}, {${p(name)}:Array(Int64)}, toInt64(0))`;
    where.push(`toUnixTimestamp64Milli(timestamp) >= ${of('froms')}`);
    where.push(`toUnixTimestamp64Milli(timestamp) < ${of('tos')}`);
    params[p('froms')] = ranges.map((r) => r.from);
    params[p('tos')] = ranges.map((r) => r.to);
  }
  return {
    sql: `SELECT *, is_error FROM ${Tables.predictions} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/** What predictionRows narrows by besides the time range. */
export interface RowScope {
  model: string;
  version?: string;
  segment?: Segment;
}

/** The rows of one uploaded reference dataset, optionally of one segment. */
export function referenceDatasetRows(
  prefix: string,
  opts: { model: string; referenceId: string; segment?: Segment },
): RowSet {
  const p = (name: string) => `${prefix}_${name}`;
  const where = [`model = {${p('model')}:String}`, `reference_id = {${p('ref')}:String}`];
  const params: QueryParams = { [p('model')]: opts.model, [p('ref')]: opts.referenceId };
  addSegment(where, params, p, opts.segment);
  return { sql: `SELECT * FROM ${Tables.referenceRows} WHERE ${where.join(' AND ')}`, params };
}

/**
 * Several models' reference datasets (one each, whole: no segment), as one row set whose
 * statements group by `model`; a single one is referenceDatasetRows.
 */
export function referenceDatasetRowsOf(
  prefix: string,
  datasets: readonly { model: string; referenceId: string }[],
): RowSet {
  if (datasets.length === 1) return referenceDatasetRows(prefix, datasets[0]!);
  const p = (name: string) => `${prefix}_${name}`;
  return {
    sql: `SELECT * FROM ${Tables.referenceRows}
          WHERE model IN {${p('models')}:Array(String)}
            AND reference_id = transform(CAST(model, 'String'), {${p('models')}:Array(String)}, {${p('ids')}:Array(String)}, '')`,
    params: {
      [p('models')]: datasets.map((d) => d.model),
      [p('ids')]: datasets.map((d) => d.referenceId),
    },
  };
}

function addSegment(
  where: string[],
  params: QueryParams,
  p: (name: string) => string,
  segment: Segment | undefined,
): void {
  if (!segment) return;
  where.push(`tags[{${p('seg_key')}:String}] = {${p('seg_value')}:String}`);
  params[p('seg_key')] = segment.key;
  params[p('seg_value')] = segment.value;
}

/**
 * The prediction is compared like a feature, under the name '' — which no feature can have (the
 * contract refuses empty feature names) — so one pass over the rows serves both.
 */
export const PREDICTION_KEY = '';

/**
 * A (model, feature) pair's look-up key, split at its first '/': model names never hold one
 * (the contract allows A-Z a-z 0-9 _ . -), feature names may.
 */
export function pairKey(model: string, feature: string): string {
  return `${model}/${feature}`;
}

export function fromPairKey(key: string): [model: string, feature: string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** SQL of a row's pair key (pairKey) from its `model` and feature `k`. */
export const PAIR_KEY_SQL = `concat(CAST(model, 'String'), '/', k)`;

/** (k, v) pairs of a row set's numeric features plus the numeric prediction. */
export function numericPairs(rows: RowSet, extra = ''): string {
  return `SELECT ${extra} k, v FROM (${rows.sql})
    ARRAY JOIN
      arrayConcat(CAST(mapKeys(num_features), 'Array(String)'),
                  if(prediction_num IS NULL, CAST([], 'Array(String)'), ['${PREDICTION_KEY}'])) AS k,
      arrayConcat(mapValues(num_features),
                  if(prediction_num IS NULL, CAST([], 'Array(Float64)'), [assumeNotNull(prediction_num)])) AS v`;
}

/**
 * Counts per (t, k, v) of a row set's categorical features ('c', plus the label prediction) and
 * boolean features ('b', as 'true' / 'false'): one grouped pass per map, so each groups on its own
 * key and value types (one pass over all three as strings costs twice as much). `byModel`: per
 * model too (column `m`), for a row set of several models.
 */
export function categoryCountsSql(rows: RowSet, opts: { byModel?: boolean } = {}): string {
  const from = `FROM (${rows.sql})`;
  const m = opts.byModel ? `CAST(model, 'String') AS m, ` : '';
  const by = opts.byModel ? 'm, ' : '';
  return `
    SELECT ${m}'c' AS t, CAST(k, 'String') AS k, v, count() AS n ${from}
      ARRAY JOIN mapKeys(cat_features) AS k, mapValues(cat_features) AS v GROUP BY ${by}k, v
    UNION ALL
    SELECT ${m}'b' AS t, CAST(k, 'String') AS k, if(b, 'true', 'false') AS v, count() AS n ${from}
      ARRAY JOIN mapKeys(bool_features) AS k, mapValues(bool_features) AS b GROUP BY ${by}k, b
    UNION ALL
    SELECT ${m}'c' AS t, '${PREDICTION_KEY}' AS k, CAST(assumeNotNull(prediction_label), 'String') AS v, count() AS n
      ${from} WHERE prediction_label IS NOT NULL GROUP BY ${by}v`;
}
