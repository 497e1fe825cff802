import type { Reference } from '../reference/resolve';
import { latestLabelJoins } from '../sql/labels';
import type { RowSet } from '../sql/rows';

/** Rows with something to calibrate: a score or a probability vector. */
const SCORED = '(prediction_num IS NOT NULL OR length(prediction_vec) > 0)';

/**
 * The reference's scored rows that carry a label, as (ts, pn, pv, lnum, lstr): a dataset's own labels
 * (reference rows may carry one), or for a reference of logged predictions (a time range, the
 * previous window) the labels logged for them, joined as the performance detector joins them.
 */
export function labelledReference(ref: Reference): RowSet {
  const columns = 'timestamp AS ts, prediction_num AS pn, prediction_vec AS pv';
  if (ref.source === 'dataset') {
    return {
      sql: `SELECT ${columns}, label_num AS lnum, label_str AS lstr FROM (${ref.rows.sql})
            WHERE (lnum IS NOT NULL OR lstr IS NOT NULL) AND ${SCORED}`,
      params: ref.rows.params,
    };
  }
  return {
    sql: `
      SELECT ${columns}, coalesce(le.ln, lr.ln) AS lnum, coalesce(le.ls, lr.ls) AS lstr
      FROM (${ref.rows.sql}) AS p
      ${latestLabelJoins(ref.rows.sql)}
      WHERE (lnum IS NOT NULL OR lstr IS NOT NULL) AND ${SCORED}
      SETTINGS join_use_nulls = 1`,
    params: ref.rows.params,
  };
}

/** A labelled row's label as a class name: the text, or the number as ClickHouse prints it. */
export const CLASS_NAME = 'coalesce(lstr, toString(lnum))';
/** A labelled row's label as a binary outcome (0/1), text labels "0"/"1" included. */
export const OUTCOME = 'coalesce(lnum, toFloat64OrNull(lstr))';

/**
 * The rows numbered into chunks of `size` in time order (ties broken by a hash of the row, so a
 * reference always chunks the same way): ⌊n/10⌋ rows a chunk, NannyML's default, the remainder
 * an 11th chunk.
 */
export function chunked(rows: RowSet, size: number): RowSet {
  return {
    sql: `SELECT *, toUInt32(intDiv(row_number() OVER (ORDER BY ts, cityHash64(pn, pv, lnum, lstr)) - 1,
                                    {est_chunk:UInt64})) AS chunk
          FROM (${rows.sql})`,
    params: { ...rows.params, est_chunk: size },
  };
}
