import { Tables, type Store } from '@osprey/db';

/**
 * The latest label of each logged row, whenever it arrived: two LEFT JOINs onto rows aliased `p`
 * (`rowsSql`, the same rows), by (model, event_id) (`le`) or else by (model, request_id) (`lr`),
 * each giving `ln` (label_num) and, unless `numericOnly`, `ls` (label_str); pick with
 * coalesce(le.ln, lr.ln). The query must end with SETTINGS join_use_nulls = 1. The rows may be of
 * one model or of a batch of models; only the labels of those rows are aggregated, not the models'
 * whole label history: the (model, id) pairs of the rows, one read of them per join (a read of a
 * small window costs a few ms however few its rows, so a statement pays per read). One join, so the performance detector, CBPE and DLE see the same labels.
 */
export function latestLabelJoins(rowsSql: string, numericOnly = false): string {
  const columns = numericOnly
    ? 'argMax(label_num, timestamp) AS ln'
    : 'argMax(label_num, timestamp) AS ln, argMax(label_str, timestamp) AS ls';
  return `
    LEFT JOIN (
      SELECT model, event_id, ${columns} FROM ${Tables.labels}
      WHERE event_id IS NOT NULL AND (model, event_id) IN (SELECT model, event_id FROM (${rowsSql}))
      GROUP BY model, event_id
    ) AS le ON p.model = le.model AND p.event_id = le.event_id
    LEFT JOIN (
      SELECT model, request_id, ${columns} FROM ${Tables.labels}
      WHERE request_id != ''
        AND (model, request_id) IN (SELECT model, request_id FROM (${rowsSql}) WHERE request_id != '')
      GROUP BY model, request_id
    ) AS lr ON p.model = lr.model AND p.request_id = lr.request_id`;
}

/**
 * Whether any of `models` has ever received a label: a primary-key look-up. Where none has, the
 * joins of latestLabelJoins can only come back empty, and building them costs reading the window
 * twice more into sets of every event and request id (~0.5 s on a 1M-row window).
 */
export async function anyLabels(store: Store, models: readonly string[]): Promise<boolean> {
  const [found] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM (SELECT 1 FROM ${Tables.labels} WHERE model IN {models:Array(String)} LIMIT 1)`,
    { models: [...new Set(models)] },
  );
  return Number(found?.n ?? 0) > 0;
}
