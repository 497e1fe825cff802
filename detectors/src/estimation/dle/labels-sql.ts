import { latestLabelJoins } from '../../sql/labels';
import type { RowSet } from '../../sql/rows';

/**
 * Logged predictions with their label as `label_num` (NULL without one): the latest label of a
 * row, joined by event_id or else by request_id, whenever it arrived — the join of
 * performance/performance.ts (sql/labels.ts), so realized values here equal the performance detector's.
 * `model` is the model whose labels are read.
 */
export function withLabelNum(rows: RowSet, model: string): RowSet {
  return {
    sql: `SELECT p.*, coalesce(le.ln, lr.ln) AS label_num
      FROM (${rows.sql}) AS p
      ${latestLabelJoins('dle_label_model', rows.sql, true)}
      SETTINGS join_use_nulls = 1`,
    params: { ...rows.params, dle_label_model: model },
  };
}
