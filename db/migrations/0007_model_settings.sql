-- Per-model detector settings (window, grace, reference choice, thresholds, segments, task), as
-- a JSON document validated by the detectors workspace (detectors/src/settings). The latest
-- version of a model's row wins; every change is also in audit_log.
CREATE TABLE IF NOT EXISTS model_settings
(
    model       LowCardinality(String),
    settings    String,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_by  String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY model
