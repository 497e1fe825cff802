import { Tables } from '@osprey/db';

/**
 * The latest label of each logged row, whenever it arrived: two LEFT JOINs onto rows aliased `p`
 * (`rowsSql`, the same rows), by event_id (`le`) or else by request_id (`lr`), each giving `ln`
 * (label_num) and, unless `numericOnly`, `ls` (label_str); pick with coalesce(le.ln, lr.ln). The
 * query must end with SETTINGS join_use_nulls = 1. `modelParam` names the String parameter holding
 * the model whose labels are read. Only the labels of those rows are aggregated, not the model's
 * whole label history. One join, so the performance detector, CBPE and DLE see the same labels.
 */
export function latestLabelJoins(modelParam: string, rowsSql: string, numericOnly = false): string {
  const columns = numericOnly
    ? 'argMax(label_num, timestamp) AS ln'
    : 'argMax(label_num, timestamp) AS ln, argMax(label_str, timestamp) AS ls';
  return `
    LEFT JOIN (
      SELECT event_id, ${columns} FROM ${Tables.labels}
      WHERE model = {${modelParam}:String} AND event_id IS NOT NULL
        AND event_id IN (SELECT event_id FROM (${rowsSql}))
      GROUP BY event_id
    ) AS le ON p.event_id = le.event_id
    LEFT JOIN (
      SELECT request_id, ${columns} FROM ${Tables.labels}
      WHERE model = {${modelParam}:String} AND request_id != ''
        AND request_id IN (SELECT request_id FROM (${rowsSql}) WHERE request_id != '')
      GROUP BY request_id
    ) AS lr ON p.request_id = lr.request_id`;
}
