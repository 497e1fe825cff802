import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import { referenceChunkCounts, type Counts, type CountsBasis, type ValueType } from './counts-sql';
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
  const described = await store.query<Described>(describeSql(rows), rows.params);
  const byName = new Map<string, Described>();
  for (const d of described) {
    const seen = byName.get(d.k);
    // A name logged with values of two types has the type most of its values have.
    if (!seen || Number(seen.n) < Number(d.n)) byName.set(d.k, d);
  }
  const categorical = [...byName.values()].filter(
    (d) =>
      Number(d.distinct) <= (d.t === 'numeric' ? MAX_INTEGER_CATEGORIES : MAX_CATEGORIES) &&
      (d.t !== 'numeric' || Number(d.integral) === 1),
  );
  const values = await valueCounts(store, rows, categorical);
  const basis = new Map<string, CountsBasis>();
  for (const [k, d] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const seen = values.get(k);
    basis.set(k, {
      type: d.t,
      ...(d.t === 'numeric' && { min: d.min, max: d.max }),
      ...(seen && { seen: [...seen.keys()].sort() }),
    });
  }
  const chunkSize = Math.max(1, Math.floor(count / REFERENCE_CHUNKS));
  const chunked = await referenceChunkCounts(
    store,
    rows,
    basis,
    await chunkNumbers(store, rows, chunkSize),
  );
  const chunks = [...chunked.keys()].sort((a, b) => a - b).map((c) => chunked.get(c)!);
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

function describeSql(rows: RowSet): string {
  const branch = (t: ValueType, map: string, v: string) => `
    SELECT '${t}' AS t, CAST(k, 'String') AS k, count() AS n,
           ${t === 'numeric' ? 'min(v)' : '0'} AS min, ${t === 'numeric' ? 'max(v)' : '0'} AS max,
           ${t === 'numeric' ? 'min(v = round(v))' : '1'} AS integral,
           length(groupUniqArray(${MAX_CATEGORIES + 1})(${v})) AS distinct
    FROM (${rows.sql}) ARRAY JOIN mapKeys(${map}) AS k, mapValues(${map}) AS v GROUP BY k`;
  return [
    branch('numeric', 'num_features', 'v'),
    branch('categorical', 'cat_features', 'v'),
    branch('boolean', 'bool_features', 'v'),
  ].join(' UNION ALL ');
}

/** Counts per value of the features kept as categories, as strings (toString for numbers). */
async function valueCounts(
  store: Store,
  rows: RowSet,
  features: Described[],
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (features.length === 0) return out;
  const names = (t: ValueType) => features.filter((d) => d.t === t).map((d) => d.k);
  const branch = (t: ValueType, map: string, v: string) => `
    SELECT CAST(k, 'String') AS k, ${v} AS v, count() AS n
    FROM (${rows.sql}) ARRAY JOIN mapKeys(${map}) AS k, mapValues(${map}) AS x
    WHERE CAST(k, 'String') IN {qv_${t}:Array(String)} GROUP BY k, v`;
  const counted = await store.query<{ k: string; v: string; n: string }>(
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
    let m = out.get(r.k);
    if (!m) out.set(r.k, (m = new Map()));
    m.set(r.v, Number(r.n));
  }
  return out;
}

/**
 * An SQL expression numbering each row's chunk: rows in time order (ties broken by a hash of the
 * row), `size` to a chunk. The chunks' first rows are found once (one sort of two numbers per
 * row) and each row's chunk is the number of those at or before it, so the count pass that uses
 * it does not sort them again.
 */
async function chunkNumbers(store: Store, rows: RowSet, size: number): Promise<string> {
  const key = `(toUnixTimestamp64Milli(timestamp), xxHash32(tuple(*)))`;
  const [found] = await store.query<{ firsts: [string, number][] }>(
    `SELECT arrayMap(i -> sorted[i * ${size} + 1], range(1, toUInt64(ceil(length(sorted) / ${size})))) AS firsts
     FROM (SELECT arraySort(groupArray(${key})) AS sorted FROM (${rows.sql}))`,
    rows.params,
  );
  const firsts = found?.firsts ?? [];
  if (firsts.length === 0) return '0';
  // Computed numbers (a millisecond time and a 32-bit hash), not input: written into the SQL.
  const literal = firsts.map(([t, h]) => `(${BigInt(t)}, ${Number(h)})`).join(', ');
  return `toUInt32(arrayCount(first -> first <= ${key}, [${literal}]))`;
}
