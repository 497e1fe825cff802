-- Rolls up the predictions stored before 0043 created the view: those received before this
-- migration run recorded 0043 (rows received since are the view's). Ordered and tokened so a rerun
-- after a crash between this insert and its record deduplicates instead of counting twice.
INSERT INTO predictions_1m
SETTINGS insert_deduplication_token = 'osprey-migration-0044'
SELECT model,
       version,
       toStartOfMinute(timestamp) AS minute,
       count(),
       countIf(error != ''),
       count(latency_ms),
       quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms),
       max(timestamp)
FROM predictions
WHERE received_at < (SELECT max(applied_at) FROM schema_migrations WHERE version = 43)
GROUP BY model, version, minute
ORDER BY model, version, minute
