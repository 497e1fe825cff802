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

/**
 * The detection target a scope names, as batched statements group by it (the row sets' `target`
 * column): the model, or the model and one segment. Model names hold no '|'.
 */
export function targetKey(scope: RowScope): string {
  return scope.segment ? `${scope.model}|${segmentLabel(scope.segment)}` : scope.model;
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
  params[p('target')] = targetKey(opts);
  return {
    sql: `SELECT *, is_error, {${p('target')}:String} AS target FROM ${Tables.predictions} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/**
 * The predictions of several scopes, each in its own [from, to), as one row set whose statements
 * group by `target` (targetKey): a batch of whole models (one statement serves every model of a
 * scheduler pass), a batch of one model's segments of one tag (every value of it), or a single
 * scope of any kind. A statement's fixed cost is what a small target pays, so a batch costs each
 * target a fraction of its own statement.
 */
export function predictionRowsOf(
  prefix: string,
  ranges: readonly { scope: RowScope; from: number; to: number }[],
): RowSet {
  if (ranges.length === 0) throw new Error('a batch holds at least one scope');
  if (ranges.length === 1) {
    const [{ scope, from, to }] = ranges as [(typeof ranges)[number]];
    return predictionRows(prefix, { ...scope, from, to });
  }
  const p = (name: string) => `${prefix}_${name}`;
  const batch = batchFilter(
    p,
    ranges.map((r) => r.scope),
  );
  const from = Math.min(...ranges.map((r) => r.from));
  const to = Math.max(...ranges.map((r) => r.to));
  const where = [
    ...batch.where,
    `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
    `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
  ];
  const params: QueryParams = { ...batch.params, [p('from')]: from, [p('to')]: to };
  // Each target's own range, where they differ: looked up by target per row.
  if (ranges.some((r) => r.from !== from || r.to !== to)) {
    where.push(
      `toUnixTimestamp64Milli(timestamp) >= ${batch.lookUp('froms', 'Int64', 'toInt64(0)')}`,
    );
    where.push(`toUnixTimestamp64Milli(timestamp) < ${batch.lookUp('tos', 'Int64', 'toInt64(0)')}`);
    params[p('froms')] = ranges.map((r) => r.from);
    params[p('tos')] = ranges.map((r) => r.to);
  }
  return {
    sql: `SELECT *, is_error, ${batch.target} AS target FROM ${Tables.predictions} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/**
 * What narrows a table of logged rows (predictions, reference rows) to a batch of targets: whole
 * models, each once, or one model's segments of one tag key, each value once (no version). `target`
 * is each row's targetKey in SQL; `lookUp(name, type, otherwise)` looks a per-target parameter
 * array (`{prefix_name}`, in the scopes' order) up by it.
 */
function batchFilter(p: (name: string) => string, scopes: readonly RowScope[]) {
  if (scopes.some((s) => s.version !== undefined))
    throw new Error('a batch of scopes holds no version');
  const targets = scopes.map(targetKey);
  if (new Set(targets).size !== targets.length) throw new Error('a batch holds each target once');
  const segments = scopes.filter((s) => s.segment);
  const params: QueryParams = { [p('targets')]: targets };
  let where: string[];
  let target: string;
  if (segments.length === 0) {
    where = [`model IN {${p('targets')}:Array(String)}`];
    target = `CAST(model, 'String')`;
  } else {
    const [first] = scopes as [RowScope];
    if (
      segments.length !== scopes.length ||
      scopes.some((s) => s.model !== first.model || s.segment!.key !== first.segment!.key)
    )
      throw new Error("a batch of segments holds one model's values of one tag");
    where = [
      `model = {${p('model')}:String}`,
      `tags[{${p('seg_key')}:String}] IN {${p('seg_values')}:Array(String)}`,
    ];
    target = `concat({${p('model')}:String}, '|', {${p('seg_key')}:String}, '=', tags[{${p('seg_key')}:String}])`;
    params[p('model')] = first.model;
    params[p('seg_key')] = first.segment!.key;
    params[p('seg_values')] = scopes.map((s) => s.segment!.value);
  }
  const lookUp = (name: string, type: string, otherwise: string) =>
    `transform(${target}, {${p('targets')}:Array(String)}, {${p(name)}:Array(${type})}, ${otherwise})`;
  return { where, params, target, lookUp };
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
  params[p('target')] = targetKey(opts);
  return {
    sql: `SELECT *, {${p('target')}:String} AS target FROM ${Tables.referenceRows} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/**
 * Several targets' reference datasets (one each: whole models, or one model's segments of one tag;
 * see predictionRowsOf), as one row set whose statements group by `target`; a single one is
 * referenceDatasetRows.
 */
export function referenceDatasetRowsOf(
  prefix: string,
  datasets: readonly { scope: RowScope; referenceId: string }[],
): RowSet {
  if (datasets.length === 1) {
    const [{ scope, referenceId }] = datasets as [(typeof datasets)[number]];
    return referenceDatasetRows(prefix, { ...scope, referenceId });
  }
  const p = (name: string) => `${prefix}_${name}`;
  const batch = batchFilter(
    p,
    datasets.map((d) => d.scope),
  );
  return {
    sql: `SELECT *, ${batch.target} AS target FROM ${Tables.referenceRows}
          WHERE ${batch.where.join(' AND ')} AND reference_id = ${batch.lookUp('ids', 'String', "''")}`,
    params: { ...batch.params, [p('ids')]: datasets.map((d) => d.referenceId) },
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
 * Look-up keys of (target, feature) pairs for statements over several targets' rows: the target's
 * number in `targets` and the feature's name, `<n>/<name>` (the number holds no '/', so a key
 * splits at its first). `sql`: a row's key from its `target` and feature `k`, with `params`.
 */
export function pairKeysOf(prefix: string, targets: readonly string[]) {
  const index = new Map(targets.map((t, i) => [t, i + 1]));
  return {
    sql: `concat(toString(transform(target, {${prefix}_pair_targets:Array(String)}, {${prefix}_pair_index:Array(UInt32)}, toUInt32(0))), '/', k)`,
    params: {
      [`${prefix}_pair_targets`]: [...targets],
      [`${prefix}_pair_index`]: targets.map((_, i) => i + 1),
    } as QueryParams,
    key: (target: string, feature: string) => `${index.get(target)}/${feature}`,
    /** Results by pair key, regrouped by target then feature (every target, if empty). */
    regroup<T>(results: Iterable<[key: string, value: T]>): Map<string, Map<string, T>> {
      const out = new Map(targets.map((t) => [t, new Map<string, T>()]));
      for (const [key, value] of results) {
        const i = key.indexOf('/');
        out.get(targets[Number(key.slice(0, i)) - 1]!)!.set(key.slice(i + 1), value);
      }
      return out;
    },
  };
}

/**
 * The rows of a batch's row set (grouped by `target`) that belong to some of its targets: for a
 * statement that serves part of the batch, so that it reads no other target's rows.
 */
export function rowsOfTargets(rows: RowSet, prefix: string, targets: readonly string[]): RowSet {
  return {
    sql: `SELECT * FROM (${rows.sql}) WHERE target IN {${prefix}_targets:Array(String)}`,
    params: { ...rows.params, [`${prefix}_targets`]: [...targets] },
  };
}

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
  const m = opts.byModel ? `target AS m, ` : '';
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
