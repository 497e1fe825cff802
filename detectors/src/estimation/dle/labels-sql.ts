import { Tables } from '@osprey/db';
import type { RowSet } from '../../sql/rows';

/**
 * Logged predictions with their label as `label_num` (NULL without one): the latest label of a
 * row, joined by event_id or else by request_id, whenever it arrived — the join of
 * performance/performance.ts, so realized values here equal the performance detector's.
 * `model` is the model whose labels are read.
 */
export function withLabelNum(rows: RowSet, model: string): RowSet {
  return {
    sql: `SELECT p.*, coalesce(le.ln, lr.ln) AS label_num
      FROM (${rows.sql}) AS p
      LEFT JOIN (
        SELECT event_id, argMax(label_num, timestamp) AS ln FROM ${Tables.labels}
        WHERE model = {dle_label_model:String} AND event_id IS NOT NULL GROUP BY event_id
      ) AS le ON p.event_id = le.event_id
      LEFT JOIN (
        SELECT request_id, argMax(label_num, timestamp) AS ln FROM ${Tables.labels}
        WHERE model = {dle_label_model:String} AND request_id != '' GROUP BY request_id
      ) AS lr ON p.request_id = lr.request_id
      SETTINGS join_use_nulls = 1`,
    params: { ...rows.params, dle_label_model: model },
  };
}
