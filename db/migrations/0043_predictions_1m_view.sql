-- Aggregates every block inserted into predictions (directly, or through predictions_landing's
-- view) into predictions_1m (0042).
CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_1m_view TO predictions_1m
AS SELECT model,
          version,
          toStartOfMinute(timestamp) AS timestamp,
          count() AS events,
          countIf(error != '') AS errors,
          count(latency_ms) AS latencies,
          quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms) AS latency,
          max(predictions.timestamp) AS last_seen
   FROM predictions
   GROUP BY model, version, timestamp
