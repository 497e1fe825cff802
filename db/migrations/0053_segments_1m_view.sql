-- Aggregates every block inserted into predictions into predictions_segments_1m (0050), and so into predictions_segments_1h, one row
-- per configured tag key present in a prediction. The configured keys are read from
-- model_settings at each block (a small table): a key configured now applies to the next block.
CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_segments_1m_view TO predictions_segments_1m
AS SELECT model,
          tag,
          value,
          version,
          toStartOfMinute(timestamp) AS timestamp,
          count() AS events,
          countIf(error != '') AS errors,
          count(latency_ms) AS latencies,
          quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms) AS latency,
          max(predictions.timestamp) AS last_seen
   FROM predictions
   ARRAY JOIN mapKeys(tags) AS tag, mapValues(tags) AS value
   WHERE (model, tag) IN (
       SELECT model, arrayJoin(JSONExtract(settings, 'segments', 'Array(String)'))
       FROM model_settings)
   GROUP BY model, tag, value, version, timestamp
