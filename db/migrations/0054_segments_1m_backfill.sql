-- Rolls up, for the keys configured when this migration runs, the predictions stored before 0053
-- created the view (received before its record), as 0044 does for predictions_1m; 0052 carries
-- them on to the hours.
INSERT INTO predictions_segments_1m
SETTINGS insert_deduplication_token = 'osprey-migration-0054'
SELECT model,
       tag,
       value,
       version,
       toStartOfMinute(timestamp) AS minute,
       count(),
       countIf(error != ''),
       count(latency_ms),
       quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms),
       max(timestamp)
FROM predictions
ARRAY JOIN mapKeys(tags) AS tag, mapValues(tags) AS value
WHERE received_at < (SELECT max(applied_at) FROM schema_migrations WHERE version = 53)
  AND (model, tag) IN (
      SELECT model, arrayJoin(JSONExtract(settings, 'segments', 'Array(String)'))
      FROM model_settings)
GROUP BY model, tag, value, version, minute
ORDER BY model, tag, value, version, minute
