import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import {
  CHUNK_STRIDE,
  referenceChunkCounts,
  type Counts,
  type CountsBasis,
  type ValueType,
} from './counts-sql';
import {
  resolveBounds,
  standardDeviation,
  upperZero,
  type Bounds,
  type ThresholdSpec,
} from './thresholds';

/** Stored fits of another format are fitted again. */
export const QUALITY_FIT_FORMAT = 1;

/**
 * A categorical or boolean feature with more distinct reference values than this is an
 * identifier or free text, not a category: its seen set is not kept and its unseen rate not
 * computed (every window would be full of "unseen" ids).
 */
export const MAX_CATEGORIES = 1_000;
/**
 * Numbers arrive as JSON numbers, so Osprey cannot see NannyML's int dtype: a numeric feature
 * whose reference values are all whole numbers, at most this many distinct ones, is a code and
 * also counted as a category (unseen values), as NannyML does with int columns.
 */
export const MAX_INTEGER_CATEGORIES = 50;
/** The reference is scored in this many chunks of equal size (NannyML's DefaultChunker). */
export const REFERENCE_CHUNKS = 10;

/** The thresholds used, NannyML's defaults (nannyml/data_quality/{missing,unseen,range}). */
export const QUALITY_THRESHOLDS = {
  missing_rate: standardDeviation(3),
  unseen_rate: upperZero,
  out_of_range_rate: upperZero,
  // Like missing values: in a clean reference mean = σ = 0, so any retyped value alerts; a
  // reference that itself mixes types tolerates its own variation.
  type_change_rate: standardDeviation(3),
  rows_with_problems: standardDeviation(3),
} satisfies Record<string, ThresholdSpec>;

/** A rate on the reference: the whole's, each chunk's, and the bounds they give. */
export interface ReferenceRate {
  rate: number;
  chunks: number[];
  bounds: Bounds;
}

export interface FeatureFit extends CountsBasis {
  /** Reference rows with a value of the feature's type (its most logged one). */
  n: number;
  /** Distinct reference values, counted up to MAX_CATEGORIES + 1. */
  distinct: number;
  /** Share of the reference's most common value (known for features with a seen set). */
  top_share: number | null;
  missing: ReferenceRate;
  type_change: ReferenceRate;
}

/** What the data-quality detector keeps of a reference (cached with its profile). */
export interface QualityFit {
  format: number;
  rows: number;
  /** Rows per reference chunk: ⌊rows / 10⌋, the remainder a last, smaller chunk (NannyML). */
  chunk_size: number;
  rows_with_problems: ReferenceRate;
  features: Record<string, FeatureFit>;
}

interface Described {
  t: ValueType;
  k: string;
  n: string;
  min: number;
  max: number;
  integral: number;
  distinct: string;
}

/**
 * Fits data quality on a reference: each feature's type, range and seen set, then the counts per
 * chunk of the reference in time order (referenceChunkCounts), for the reference's missing,
 * type-change and problem-row rates and the thresholds they give.
 */
export async function fitQuality(store: Store, rows: RowSet, count: number): Promise<QualityFit> {
  return (await fitQualityOf(store, rows, new Map([['', count]]))).get('')!;
}

/**
 * fitQuality of several references in the same few statements (`rows` holds them, with
 * `target`), each by its target in `counts` (its row count); one reference's key is not read.
 * A statement costs ~10–15 ms however few rows it reads, and a previous window's fit is made again
 * every pass, so a batch's small references are fitted together.
 */
export async function fitQualityOf(
  store: Store,
  rows: RowSet,
  counts: ReadonlyMap<string, number>,
): Promise<Map<string, QualityFit>> {
  const targets = [...counts.keys()];
  const batch = targets.length > 1;
  // Each row's reference (0-based), and the SQL of a target column where there are several.
  const index = batch
    ? `transform(target, {qf_targets:Array(String)}, range(toUInt32(${targets.length})), toUInt32(0))`
    : undefined;
  const params = { ...rows.params, qf_targets: targets };
  const described = await store.query<Described & { target: string }>(
    describeSql(rows, batch),
    params,
  );
  const position = new Map(targets.map((t, i) => [t, i]));
  const byName = targets.map(() => new Map<string, Described>());
  for (const d of described) {
    const names = byName[batch ? position.get(d.target)! : 0];
    const seen = names?.get(d.k);
    // A name logged with values of two types has the type most of its values have.
    if (names && (!seen || Number(seen.n) < Number(d.n))) names.set(d.k, d);
  }
  const categorical = byName.map((names) =>
    [...names.values()].filter(
      (d) =>
        Number(d.distinct) <= (d.t === 'numeric' ? MAX_INTEGER_CATEGORIES : MAX_CATEGORIES) &&
        (d.t !== 'numeric' || Number(d.integral) === 1),
    ),
  );
  const values = await valueCounts(store, rows, categorical, batch ? position : undefined);
  const bases = byName.map((names, i) => {
    const basis = new Map<string, CountsBasis>();
    for (const [k, d] of [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const seen = values[i]!.get(k);
      basis.set(k, {
        type: d.t,
        ...(d.t === 'numeric' && { min: d.min, max: d.max }),
        ...(seen && { seen: [...seen.keys()].sort() }),
      });
    }
    return basis;
  });
  const sizes = targets.map((t) => Math.max(1, Math.floor(counts.get(t)! / REFERENCE_CHUNKS)));
  const withTargets = { sql: rows.sql, params };
  const chunked = await referenceChunkCounts(
    store,
    withTargets,
    bases,
    await chunkNumbers(store, withTargets, sizes, index),
    index,
  );
  const chunks = targets.map(() => [] as Counts[]);
  for (const c of [...chunked.keys()].sort((a, b) => a - b))
    chunks[Math.floor(c / CHUNK_STRIDE)]!.push(chunked.get(c)!);
  return new Map(
    targets.map((target, i) => [
      target,
      fitOf(counts.get(target)!, sizes[i]!, byName[i]!, values[i]!, bases[i]!, chunks[i]!),
    ]),
  );
}

/** One reference's fit from its description, value counts, basis and chunks' counts. */
function fitOf(
  count: number,
  chunkSize: number,
  byName: ReadonlyMap<string, Described>,
  values: ReadonlyMap<string, ReadonlyMap<string, number>>,
  basis: ReadonlyMap<string, CountsBasis>,
  chunks: Counts[],
): QualityFit {
  const total = sumCounts(chunks);
  const rate = (f: (c: Counts) => number, c: Counts) => (c.rows === 0 ? NaN : f(c) / c.rows);
  const referenceRate = (f: (c: Counts) => number, spec: ThresholdSpec): ReferenceRate => {
    const perChunk = chunks.map((c) => rate(f, c));
    return { rate: rate(f, total), chunks: perChunk, bounds: resolveBounds(spec, perChunk) };
  };
  const features: Record<string, FeatureFit> = {};
  for (const [k, b] of basis) {
    const d = byName.get(k)!;
    const seen = values.get(k);
    features[k] = {
      ...b,
      n: Number(d.n),
      distinct: Number(d.distinct),
      top_share: seen ? Math.max(...seen.values()) / Number(d.n) : null,
      missing: referenceRate((c) => missingCount(c, k), QUALITY_THRESHOLDS.missing_rate),
      type_change: referenceRate(
        (c) => retypedCount(c, k, b.type),
        QUALITY_THRESHOLDS.type_change_rate,
      ),
    };
  }
  return {
    format: QUALITY_FIT_FORMAT,
    rows: count,
    chunk_size: chunkSize,
    rows_with_problems: referenceRate(
      (c) => c.rows_with_problems,
      QUALITY_THRESHOLDS.rows_with_problems,
    ),
    features,
  };
}

/** Rows without a value of any type for the feature: logged as null, or left out. */
export function missingCount(c: Counts, feature: string): number {
  const f = c.features.get(feature);
  const present = f ? Object.values(f.present).reduce((a, n) => a + n, 0) : 0;
  return c.rows - present;
}

/** Rows with a value of another type than the reference's. */
export function retypedCount(c: Counts, feature: string, type: ValueType): number {
  const f = c.features.get(feature);
  if (!f) return 0;
  return Object.entries(f.present).reduce((a, [t, n]) => a + (t === type ? 0 : n), 0);
}

function sumCounts(chunks: Counts[]): Counts {
  const total: Counts = { rows: 0, rows_with_problems: 0, features: new Map() };
  for (const c of chunks) {
    total.rows += c.rows;
    total.rows_with_problems += c.rows_with_problems;
    for (const [k, f] of c.features) {
      const t = total.features.get(k) ?? {
        present: {},
        nulls: 0,
        out_of_range: 0,
        unseen: 0,
        distinct: 0,
      };
      for (const [type, n] of Object.entries(f.present) as [ValueType, number][])
        t.present[type] = (t.present[type] ?? 0) + n;
      t.nulls += f.nulls;
      total.features.set(k, t);
    }
  }
  return total;
}

/** Per (feature, type): counts, range and distinct values; with `byTarget`, per target too. */
function describeSql(rows: RowSet, byTarget: boolean): string {
  const target = byTarget ? 'target, ' : '';
  const branch = (t: ValueType, map: string, v: string) => `
    SELECT ${target}'${t}' AS t, CAST(k, 'String') AS k, count() AS n,
           ${t === 'numeric' ? 'min(v)' : '0'} AS min, ${t === 'numeric' ? 'max(v)' : '0'} AS max,
           ${t === 'numeric' ? 'min(v = round(v))' : '1'} AS integral,
           length(groupUniqArray(${MAX_CATEGORIES + 1})(${v})) AS distinct
    FROM (${rows.sql}) ARRAY JOIN mapKeys(${map}) AS k, mapValues(${map}) AS v GROUP BY ${target}k`;
  return [
    branch('numeric', 'num_features', 'v'),
    branch('categorical', 'cat_features', 'v'),
    branch('boolean', 'bool_features', 'v'),
  ].join(' UNION ALL ');
}

// Between a target and a feature's name in the value counts' filter.
const SEP = '\u0001';

/**
 * Counts per value of the features kept as categories, as strings (toString for numbers), per
 * reference (`features` by index; `targets`: each one's index by target, where there are several).
 */
async function valueCounts(
  store: Store,
  rows: RowSet,
  features: Described[][],
  targets?: ReadonlyMap<string, number>,
): Promise<Map<string, Map<string, number>>[]> {
  const out = features.map(() => new Map<string, Map<string, number>>());
  if (features.every((f) => f.length === 0)) return out;
  const keys = targets && [...targets.keys()];
  const named = (i: number, k: string) => (keys ? `${keys[i]}${SEP}${k}` : k);
  const names = (t: ValueType) =>
    features.flatMap((list, i) => list.filter((d) => d.t === t).map((d) => named(i, d.k)));
  const name = targets ? `concat(target, '${SEP}', CAST(k, 'String'))` : `CAST(k, 'String')`;
  const target = targets ? 'target, ' : '';
  const branch = (t: ValueType, map: string, v: string) => `
    SELECT ${targets ? 'target' : "''"} AS target, CAST(k, 'String') AS k, ${v} AS v, count() AS n
    FROM (${rows.sql}) ARRAY JOIN mapKeys(${map}) AS k, mapValues(${map}) AS x
    WHERE ${name} IN {qv_${t}:Array(String)} GROUP BY ${target}k, v`;
  const counted = await store.query<{ target: string; k: string; v: string; n: string }>(
    [
      branch('numeric', 'num_features', 'toString(x)'),
      branch('categorical', 'cat_features', 'x'),
      branch('boolean', 'bool_features', "if(x, 'true', 'false')"),
    ].join(' UNION ALL '),
    {
      ...rows.params,
      qv_numeric: names('numeric'),
      qv_categorical: names('categorical'),
      qv_boolean: names('boolean'),
    },
  );
  for (const r of counted) {
    const of = out[targets ? targets.get(r.target)! : 0];
    if (!of) continue;
    let m = of.get(r.k);
    if (!m) of.set(r.k, (m = new Map()));
    m.set(r.v, Number(r.n));
  }
  return out;
}

/**
 * An SQL expression numbering each row's chunk within its reference: rows in time order (ties
 * broken by a hash of the row), `sizes[i]` to a chunk of reference i (`index` numbers each row's,
 * where there are several). The chunks' first rows are found once (one sort of two numbers per
 * row) and each row's chunk is the number of those at or before it, so the count pass that uses
 * it does not sort them again. It hashes the row set's own columns: it must be evaluated over
 * `rows`, not over a query that adds columns to them.
 */
async function chunkNumbers(
  store: Store,
  rows: RowSet,
  sizes: readonly number[],
  index?: string,
): Promise<string> {
  const key = `(toUnixTimestamp64Milli(timestamp), xxHash32(tuple(*)))`;
  const found = await store.query<{ bi: number; firsts: [string, number][] }>(
    `SELECT bi, arrayMap(i -> sorted[i * size + 1], range(1, toUInt64(ceil(length(sorted) / size)))) AS firsts
     FROM (SELECT bi, sorted, {qf_sizes:Array(UInt64)}[bi + 1] AS size
           FROM (SELECT ${index ?? '0'} AS bi, arraySort(groupArray(${key})) AS sorted
                 FROM (${rows.sql}) GROUP BY bi))`,
    { ...rows.params, qf_sizes: sizes },
  );
  const firsts = sizes.map(() => [] as [string, number][]);
  for (const f of found) firsts[Number(f.bi)] = f.firsts;
  if (firsts.every((f) => f.length === 0)) return '0';
  // Computed numbers (a millisecond time and a 32-bit hash), not input: written into the SQL.
  const literal = (list: [string, number][]) =>
    `[${list.map(([t, h]) => `(${BigInt(t)}, ${Number(h)})`).join(', ')}]`;
  const bounds =
    index === undefined ? literal(firsts[0]!) : `[${firsts.map(literal).join(', ')}][bi + 1]`;
  return `toUInt32(arrayCount(first -> first <= ${key}, ${bounds}))`;
}
