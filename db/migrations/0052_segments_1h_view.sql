-- Folds every block inserted into predictions_segments_1m (by 0053's view, 0054's backfill and the
-- backfill of a newly configured key) into predictions_segments_1h (0051): minutes to hours,
-- sketches merged. Created before anything can reach the minutes, so the hours need no backfill.
CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_segments_1h_view TO predictions_segments_1h
AS SELECT model,
          tag,
          value,
          version,
          toStartOfHour(timestamp) AS timestamp,
          sum(events) AS events,
          sum(errors) AS errors,
          sum(latencies) AS latencies,
          quantilesDDMergeState(0.01, 0.5, 0.95, 0.99)(latency) AS latency,
          max(last_seen) AS last_seen
   FROM predictions_segments_1m
   GROUP BY model, tag, value, version, timestamp
