import { Tables, type QueryParams } from '@osprey/db';
import type { RowSet } from '../sql/rows';

/**
 * Numeric descriptors of text fields (issue #18), so text drifts like any numeric feature: per
 * logged text, its length in characters (code points) and in words, the share of its characters
 * that are neither letters nor whitespace (digits, punctuation, symbols, emoji), whether it is
 * empty (nothing but whitespace: the mean over a window is the empty rate), and the share of its
 * words never seen in the model's reference texts of the same name (out of vocabulary). Words are
 * runs of letters and digits, lower-cased. No language model: the same rules for every language.
 */
export const TEXT_DESCRIPTORS = [
  'chars',
  'words',
  'non_letter_share',
  'empty',
  'oov_share',
] as const;
export type TextDescriptor = (typeof TEXT_DESCRIPTORS)[number];

/** The numeric feature name of a text field's descriptor: `text:<name>:<descriptor>`. */
export function descriptorKey(name: string, descriptor: TextDescriptor): string {
  return `text:${name}:${descriptor}`;
}

/** Which texts: a model's logged texts in [from, to) (optionally one version), or one reference's. */
export type TextSource =
  | { kind: 'window'; model: string; from: number; to: number; version?: string }
  | { kind: 'reference'; model: string; referenceId: string };

// RE2 classes, in SQL string literals (a backslash doubled once for SQL).
const WORD = `'[\\\\p{L}\\\\p{N}]+'`;
const LETTER_OR_SPACE = `'[\\\\p{L}\\\\s]'`;
const BLANK = `'^\\\\s*$'`;
/** Splits a reference in two halves by text, the same way for its rows and its vocabulary. */
const HALF = 'cityHash64(timestamp, text) % 2';

/**
 * The descriptors of `source`'s texts as a row set shaped like predictions' (`num_features`,
 * `prediction_num`), so the numeric drift SQL (`numericPairs`, `ecdfStatistics`, histograms) reads
 * it unchanged: one row per text, its descriptors under `descriptorKey` names (a share is left out
 * where it is undefined: no characters, no words).
 *
 * The vocabulary is the words of the reference `vocabulary` names. A window's texts are measured
 * against all of it; a reference's own texts each against the other half of it (split by
 * cityHash64 of the text), so the reference's OOV share shows how often unseen words come
 * naturally — against its own whole vocabulary it would be 0 everywhere, and any unseen word in a
 * window would look like drift. (The halves make the reference's share slightly higher than a
 * window's would be against the whole vocabulary: a conservative bias.)
 */
export function textDescriptorRows(
  prefix: string,
  source: TextSource,
  vocabulary: { referenceId: string },
): RowSet {
  const p = (name: string) => `${prefix}_${name}`;
  const params: QueryParams = {
    [p('model')]: source.model,
    [p('vocab_ref')]: vocabulary.referenceId,
  };
  const where = [`model = {${p('model')}:String}`];
  let table: string;
  if (source.kind === 'window') {
    table = Tables.predictionTexts;
    where.push(
      `timestamp >= fromUnixTimestamp64Milli({${p('from')}:Int64}, 'UTC')`,
      `timestamp < fromUnixTimestamp64Milli({${p('to')}:Int64}, 'UTC')`,
    );
    params[p('from')] = source.from;
    params[p('to')] = source.to;
    if (source.version !== undefined) {
      where.push(`version = {${p('version')}:String}`);
      params[p('version')] = source.version;
    }
  } else {
    table = Tables.referenceTexts;
    where.push(`reference_id = {${p('ref')}:String}`);
    params[p('ref')] = source.referenceId;
  }
  const vocab = (half?: 0 | 1) =>
    `SELECT DISTINCT CAST(name, 'String') AS name, arrayJoin(extractAll(lowerUTF8(text), ${WORD})) AS w
     FROM ${Tables.referenceTexts}
     WHERE model = {${p('model')}:String} AND reference_id = {${p('vocab_ref')}:String}
       ${half === undefined ? '' : `AND ${HALF} = ${half}`}`;
  const unseen =
    source.kind === 'window'
      ? `(name, w) NOT IN (${vocab()})`
      : `if(half = 0, (name, w) NOT IN (${vocab(1)}), (name, w) NOT IN (${vocab(0)}))`;
  const key = (d: TextDescriptor) => `concat('text:', name, ':${d}')`;
  return {
    sql: `
      SELECT timestamp, CAST(NULL, 'Nullable(Float64)') AS prediction_num,
        mapFilter((k, v) -> NOT isNaN(v), map(
          ${key('chars')}, toFloat64(chars),
          ${key('words')}, toFloat64(nwords),
          ${key('non_letter_share')}, if(chars = 0, nan, others / chars),
          ${key('empty')}, toFloat64(blank),
          ${key('oov_share')}, if(nwords = 0, nan, oov / nwords))) AS num_features
      FROM (
        SELECT rid, timestamp, name, chars, others, blank, nwords,
          countIf(w != '' AND ${unseen}) AS oov
        FROM (
          SELECT *, arrayJoin(if(nwords = 0, [''], words)) AS w
          FROM (
            SELECT rowNumberInAllBlocks() AS rid, timestamp, CAST(name, 'String') AS name,
              lengthUTF8(text) AS chars,
              lengthUTF8(replaceRegexpAll(text, ${LETTER_OR_SPACE}, '')) AS others,
              match(text, ${BLANK}) AS blank,
              extractAll(lowerUTF8(text), ${WORD}) AS words, length(words) AS nwords,
              ${HALF} AS half
            FROM ${table} WHERE ${where.join(' AND ')}
          )
        )
        GROUP BY rid, timestamp, name, chars, others, blank, nwords
      )`,
    params,
  };
}

/**
 * A descriptor row set with the rest of predictions' feature and prediction columns, empty, so
 * every pass of the drift detector (categories, booleans, the prediction) reads it as it reads
 * predictions and finds only the numeric descriptors.
 */
export function predictionShaped(rows: RowSet): RowSet {
  return {
    sql: `SELECT timestamp, num_features, prediction_num,
            CAST(map(), 'Map(String, String)') AS cat_features,
            CAST(map(), 'Map(String, Bool)') AS bool_features,
            CAST([], 'Array(String)') AS null_features,
            CAST(NULL, 'Nullable(String)') AS prediction_label,
            CAST([], 'Array(Float32)') AS prediction_vec,
            CAST(map(), 'Map(String, String)') AS tags
          FROM (${rows.sql})`,
    params: rows.params,
  };
}
