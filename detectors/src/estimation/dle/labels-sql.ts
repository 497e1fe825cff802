import { latestLabelJoins } from '../../sql/labels';
import type { RowSet } from '../../sql/rows';

/**
 * Logged predictions with their label as `label_num` (NULL without one): the latest label of a
 * row, joined by event_id or else by request_id, whenever it arrived — the join of
 * performance/performance.ts (sql/labels.ts), so realized values here equal the performance detector's.
 */
export function withLabelNum(rows: RowSet): RowSet {
  return {
    sql: `SELECT p.*, coalesce(le.ln, lr.ln) AS label_num
      FROM (${rows.sql}) AS p
      ${latestLabelJoins(rows.sql, true)}
      SETTINGS join_use_nulls = 1`,
    params: rows.params,
  };
}
