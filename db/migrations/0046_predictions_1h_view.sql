-- Folds every block inserted into predictions_1m (by 0043's view, so once per predictions block)
-- into predictions_1h (0045): minutes to hours, sketches merged.
CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_1h_view TO predictions_1h
AS SELECT model,
          version,
          toStartOfHour(timestamp) AS timestamp,
          sum(events) AS events,
          sum(errors) AS errors,
          sum(latencies) AS latencies,
          quantilesDDMergeState(0.01, 0.5, 0.95, 0.99)(latency) AS latency,
          max(last_seen) AS last_seen
   FROM predictions_1m
   GROUP BY model, version, timestamp
