import type { QueryParams, Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';

/** How a feature's values were logged: in num_features, cat_features or bool_features. */
export type ValueType = 'numeric' | 'categorical' | 'boolean';
const TYPE_CODES: Record<ValueType, number> = { numeric: 1, categorical: 2, boolean: 3 };
const CODE_TYPES: Record<number, ValueType> = { 1: 'numeric', 2: 'categorical', 3: 'boolean' };

/** What the count pass needs to know of the reference, per feature. */
export interface CountsBasis {
  type: ValueType;
  /** Reference range of a numeric feature (values outside count as out of range). */
  min?: number;
  max?: number;
  /** Values the reference had (as ClickHouse's toString writes them); unset: unseen not counted. */
  seen?: readonly string[];
}

/** A feature's counts in one window (or reference chunk), per type it was logged as. */
export interface FeatureCounts {
  present: Partial<Record<ValueType, number>>;
  /** Rows logging the feature as null (explicitly; a feature left out is missing too). */
  nulls: number;
  out_of_range: number;
  unseen: number;
  /** Distinct values of the reference's type, up to 2 (3 means more than 2). */
  distinct: number;
}

export interface Counts {
  rows: number;
  /** Rows with at least one problem: a reference feature missing, out of range, unseen or retyped. */
  rows_with_problems: number;
  features: Map<string, FeatureCounts>;
}

// Between a feature's name and its value in the seen set: no name or value carries it in practice,
// and a collision could only hide an unseen value, never invent one.
const SEP = '\u0001';

/**
 * The data-quality counts of a row set in one ClickHouse query for all features together: per
 * (feature, type logged as) presence, out-of-range and unseen counts and up to 2 distinct values,
 * the explicit nulls, and per row whether anything was wrong. The reference's ranges, types and
 * seen sets travel as array parameters looked up with transform() (hash look-ups). With `chunk`,
 * an expression numbering the rows' chunks, everything is counted per chunk.
 */
export async function qualityCounts(
  store: Store,
  rows: RowSet,
  basis: ReadonlyMap<string, CountsBasis>,
  chunk?: string,
): Promise<Map<number, Counts>> {
  return countsOf(store, qualityCountsSql(rows, basis, chunk), () => basis);
}

/**
 * qualityCounts of several targets' windows (a row set of them, with `target`), each against its
 * own reference's basis, in one query: per target (as keyed in `bases`), its counts.
 */
export async function qualityCountsOf(
  store: Store,
  rows: RowSet,
  bases: ReadonlyMap<string, ReadonlyMap<string, CountsBasis>>,
): Promise<Map<string, Counts>> {
  const models = [...bases.keys()];
  const list = [...bases.values()];
  if (models.length === 0) return new Map();
  if (models.length === 1) {
    // One model: its names looked up as they are (no basis number to prefix them with).
    const counted = (await qualityCounts(store, rows, list[0]!)).get(0);
    return new Map(counted ? [[models[0]!, counted]] : []);
  }
  const query = qualityCountsSql(
    { sql: rows.sql, params: { ...rows.params, q_models: models } },
    list,
    `transform(target, {q_models:Array(String)}, range(toUInt32(${models.length})), toUInt32(0))`,
  );
  const counted = await countsOf(store, query, (chunk) => list[chunk]!);
  return new Map(models.flatMap((m, i) => (counted.has(i) ? [[m, counted.get(i)!]] : [])));
}

async function countsOf(
  store: Store,
  { sql, params }: { sql: string; params: QueryParams },
  basisOf: (chunk: number) => ReadonlyMap<string, CountsBasis>,
): Promise<Map<number, Counts>> {
  const result = await store.query<{
    chunk: number;
    t: number;
    k: string;
    n: string;
    out_of_range: string;
    unseen: string;
    distinct: string;
    problems: string;
  }>(sql, params);
  const out = new Map<number, Counts>();
  for (const r of result) {
    const c = Number(r.chunk);
    let counts = out.get(c);
    if (!counts) {
      counts = { rows: 0, rows_with_problems: 0, features: new Map() };
      out.set(c, counts);
    }
    const t = Number(r.t);
    if (t === ROWS) {
      counts.rows = Number(r.n);
      counts.rows_with_problems = Number(r.problems);
      continue;
    }
    let f = counts.features.get(r.k);
    if (!f) {
      f = { present: {}, nulls: 0, out_of_range: 0, unseen: 0, distinct: 0 };
      counts.features.set(r.k, f);
    }
    if (t === NULLS) {
      f.nulls = Number(r.n);
      continue;
    }
    const type = CODE_TYPES[t]!;
    f.present[type] = Number(r.n);
    // Values of another type than the reference's are type changes, counted as nothing else.
    if (basisOf(c).get(r.k)?.type !== type) continue;
    f.out_of_range = Number(r.out_of_range);
    f.unseen = Number(r.unseen);
    f.distinct = Number(r.distinct);
  }
  return out;
}

const NULLS = 0;
const ROWS = 255;

/** A batch's chunks are numbered basis × CHUNK_STRIDE + chunk (a reference has ~11 chunks). */
export const CHUNK_STRIDE = 65_536;

/**
 * The counts of references' own rows per chunk (`chunk`, an expression numbering each row's
 * chunk), for their fits: presence per type, and rows with a problem. A reference cannot be out of
 * its own range or outside its own seen sets (both are taken from these rows), so only types and
 * missing features are checked, from the maps' keys alone; and the rows are read once, each row's
 * chunk computed once, where qualityCounts reads them once per map (the chunk, a hash of the
 * whole row when the reference's rows share a timestamp, is what costs). Out-of-range, unseen
 * and distinct counts are left at 0 and explicit nulls counted. Several references (`index`
 * numbers each row's, 0-based, one basis each; `chunk` may read it as `bi`): their chunks come
 * numbered basis × CHUNK_STRIDE + chunk. `chunk` is evaluated over `rows` themselves.
 */
export async function referenceChunkCounts(
  store: Store,
  rows: RowSet,
  bases: readonly ReadonlyMap<string, CountsBasis>[],
  chunk: string,
  index?: string,
): Promise<Map<number, Counts>> {
  const lookups = basisLookups(rows, bases, index === undefined ? undefined : 'bi');
  const keys = (m: string) => `mapKeys(${m})`;
  const types = (m: string, t: number) => `arrayWithConstant(length(${m}), toUInt8(${t}))`;
  const sql = `
    SELECT chunk, t, CAST(k, 'String') AS k, count() AS n, 0 AS out_of_range, 0 AS unseen,
           0 AS distinct, countIf(t = ${ROWS} AND problem) AS problems
    FROM (
      SELECT bi * ${CHUNK_STRIDE} + ch AS chunk, ${rowProblemSql(lookups, false)} AS problem,
             arrayConcat(${keys('num_features')}, ${keys('cat_features')}, ${keys('bool_features')},
                         null_features, CAST([''], 'Array(LowCardinality(String))')) AS ks,
             arrayConcat(${types('num_features', 1)}, ${types('cat_features', 2)},
                         ${types('bool_features', 3)}, ${types('null_features', NULLS)},
                         [toUInt8(${ROWS})]) AS ts
      FROM (SELECT *, ${index ?? '0'} AS bi, ${chunk} AS ch FROM (${rows.sql})))
    ARRAY JOIN ks AS k, ts AS t
    GROUP BY chunk, t, k`;
  return countsOf(
    store,
    { sql, params: lookups.params },
    (c) => bases[Math.floor(c / CHUNK_STRIDE)]!,
  );
}

/** The reference's basis as array parameters, and the SQL that looks a feature up in them. */
interface Lookups {
  params: QueryParams;
  typeOf: (k: string) => string;
  outOfRange: (k: string, v: string) => string;
  unseen: (k: string, s: string) => string;
  /** The number of reference features. */
  features: string;
}

/**
 * `index`: an expression numbering each row's basis (0-based) when there are several, the
 * features' names then looked up prefixed by it.
 */
function basisLookups(
  rows: RowSet,
  bases: readonly ReadonlyMap<string, CountsBasis>[],
  index?: string,
): Lookups {
  const perChunk = index !== undefined;
  const prefix = (i: number) => (perChunk ? `${i}${SEP}` : '');
  const named = (k: string) => (perChunk ? `concat(toString(${index}), '${SEP}', ${k})` : k);
  // A sentinel first entry: transform() refuses empty arrays.
  const keys = ['\u0000', ...bases.flatMap((b, i) => [...b.keys()].map((k) => prefix(i) + k))];
  const fits = [{ type: 'numeric' as const }, ...bases.flatMap((b) => [...b.values()])];
  const seen = fits.flatMap((b, i) => (b.seen ?? []).map((v) => `${keys[i]}${SEP}${v}`));
  const params: QueryParams = {
    ...rows.params,
    q_keys: keys,
    q_types: fits.map((b, i) => (i === 0 ? 0 : TYPE_CODES[b.type])),
    // As text: the binding refuses infinities and whole numbers beyond 2^53; JavaScript's
    // shortest round-trip form parses back to the same double.
    q_lo: fits.map((b) => (b.min === undefined ? '-inf' : String(b.min))),
    q_hi: fits.map((b) => (b.max === undefined ? 'inf' : String(b.max))),
    q_has_seen: fits.map((b) => (b.seen ? 1 : 0)),
    q_seen: ['\u0000', ...seen],
    q_seen_ones: [0, ...seen.map(() => 1)],
    q_features: bases.map((b) => b.size),
  };
  return {
    params,
    typeOf: (k) =>
      `transform(${named(k)}, {q_keys:Array(String)}, {q_types:Array(UInt8)}, toUInt8(0))`,
    outOfRange: (k, v) =>
      `(${v} < transform(${named(k)}, {q_keys:Array(String)}, arrayMap(x -> toFloat64(x), {q_lo:Array(String)}), -inf)
      OR ${v} > transform(${named(k)}, {q_keys:Array(String)}, arrayMap(x -> toFloat64(x), {q_hi:Array(String)}), inf))`,
    unseen: (k, s) =>
      `(transform(${named(k)}, {q_keys:Array(String)}, {q_has_seen:Array(UInt8)}, toUInt8(0)) = 1
      AND transform(concat(${named(k)}, '${SEP}', ${s}), {q_seen:Array(String)}, {q_seen_ones:Array(UInt8)}, toUInt8(0)) = 0)`,
    features: `{q_features:Array(UInt32)}[${perChunk ? `${index} + 1` : '1'}]`,
  };
}

/**
 * Whether a row has a problem: a reference feature logged with another type or missing; with
 * `values`, also one out of range or unseen.
 */
function rowProblemSql({ typeOf, outOfRange, unseen, features }: Lookups, values: boolean): string {
  const check = (map: string, type: number, value?: (k: string, v: string) => string) =>
    values && value
      ? `arrayExists((k, v) -> ${typeOf('k')} NOT IN (0, ${type}) OR ${value('k', 'v')},
       mapKeys(${map}), mapValues(${map}))`
      : `arrayExists(k -> ${typeOf('k')} NOT IN (0, ${type}), mapKeys(${map}))`;
  return [
    check('num_features', 1, (k, v) => `${outOfRange(k, v)} OR ${unseen(k, `toString(${v})`)}`),
    check('cat_features', 2, (k, v) => unseen(k, v)),
    check('bool_features', 3, (k, v) => unseen(k, `if(${v}, 'true', 'false')`)),
    // A reference feature neither logged with a value of any type: missing. The reference's
    // features among the row's keys, counted map by map: ingest writes each feature of a row into
    // one map only (by its value's type), so no name is counted twice. (Counting the distinct
    // names of the three maps' keys concatenated cost 1.4–1.6× as much on 1M rows × 21 features.)
    `${['num_features', 'cat_features', 'bool_features']
      .map((m) => `arrayCount(k -> ${typeOf('k')} != 0, mapKeys(${m}))`)
      .join(' + ')} < ${features}`,
  ].join(' OR ');
}

/**
 * `basis`: one for every chunk, or one per chunk (`chunk` then numbers each row's basis, 0-based:
 * several models' windows, each against its own reference), the features' names then looked up
 * prefixed by the chunk's number.
 */
export function qualityCountsSql(
  rows: RowSet,
  basis: ReadonlyMap<string, CountsBasis> | readonly ReadonlyMap<string, CountsBasis>[],
  chunk?: string,
): { sql: string; params: QueryParams } {
  const perChunk = Array.isArray(basis);
  const lookups = basisLookups(rows, perChunk ? basis : [basis], perChunk ? 'chunk' : undefined);
  const { params, outOfRange, unseen } = lookups;
  const c = chunk === undefined ? '0' : 'chunk';
  // The rows, with their chunk; `nonEmpty`: only those where that column is not empty.
  const source = (nonEmpty?: string) => {
    const where = nonEmpty ? ` WHERE notEmpty(${nonEmpty})` : '';
    return chunk === undefined
      ? `(SELECT * FROM (${rows.sql})${where})`
      : `(SELECT *, ${chunk} AS chunk FROM (${rows.sql})${where})`;
  };
  const perFeature = (t: number, map: string, value: (v: string) => string, range: boolean) => `
    SELECT ${c} AS chunk, ${t} AS t, CAST(k, 'String') AS k, count() AS n,
           ${range ? `countIf(${outOfRange('k', 'v')})` : '0'} AS out_of_range,
           countIf(${unseen('k', value('v'))}) AS unseen, uniqUpTo(2)(v) AS distinct, 0 AS problems
    FROM ${source(map)} ARRAY JOIN mapKeys(${map}) AS k, mapValues(${map}) AS v GROUP BY chunk, k`;
  const sql = `
    ${perFeature(1, 'num_features', (v) => `toString(${v})`, true)}
    UNION ALL
    ${perFeature(2, 'cat_features', (v) => v, false)}
    UNION ALL
    ${perFeature(3, 'bool_features', (v) => `if(${v}, 'true', 'false')`, false)}
    UNION ALL
    SELECT ${c} AS chunk, ${NULLS} AS t, CAST(k, 'String') AS k, count() AS n, 0 AS out_of_range,
           0 AS unseen, 0 AS distinct, 0 AS problems
    FROM ${source('null_features')} ARRAY JOIN null_features AS k GROUP BY chunk, k
    UNION ALL
    SELECT ${c} AS chunk, ${ROWS} AS t, '' AS k, count() AS n, 0 AS out_of_range, 0 AS unseen,
           0 AS distinct, countIf(${rowProblemSql(lookups, true)}) AS problems
    FROM ${source()} GROUP BY chunk`;
  return { sql, params };
}
