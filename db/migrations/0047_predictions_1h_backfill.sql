-- Rolls up the predictions stored before 0046 created predictions_1h's view (received before
-- this migration run recorded 0046), as 0044 does for predictions_1m. Read from predictions, not
-- predictions_1m: which minutes reached the hours through the view is not recorded.
INSERT INTO predictions_1h
SETTINGS insert_deduplication_token = 'osprey-migration-0047'
SELECT model,
       version,
       toStartOfHour(timestamp) AS hour,
       count(),
       countIf(error != ''),
       count(latency_ms),
       quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms),
       max(timestamp)
FROM predictions
WHERE received_at < (SELECT max(applied_at) FROM schema_migrations WHERE version = 46)
GROUP BY model, version, hour
ORDER BY model, version, hour
