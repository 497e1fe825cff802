import { latestLabelJoins } from '../../sql/labels';
import type { RowSet } from '../../sql/rows';

/**
 * Logged predictions with their label as `label_num` (NULL without one): the latest label of a
 * row, joined by event_id or else by request_id, whenever it arrived — the join of
 * performance/performance.ts (sql/labels.ts), so realized values here equal the performance detector's.
 * `labelled: false` (the model has never received a label, sql/labels.ts anyLabels): every
 * label_num NULL without the joins, which read the rows twice more into id sets.
 */
export function withLabelNum(rows: RowSet, labelled = true): RowSet {
  if (!labelled)
    return {
      sql: `SELECT *, CAST(NULL, 'Nullable(Float64)') AS label_num FROM (${rows.sql})`,
      params: rows.params,
    };
  return {
    sql: `SELECT p.*, coalesce(le.ln, lr.ln) AS label_num
      FROM (${rows.sql}) AS p
      ${latestLabelJoins(rows.sql, true)}
      SETTINGS join_use_nulls = 1`,
    params: rows.params,
  };
}
