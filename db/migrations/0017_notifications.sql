-- Every delivery attempt: channel, attempt number, outcome (delivered, retrying, failed), the
-- response code and the error. Append-only, the notification log.
CREATE TABLE IF NOT EXISTS notifications
(
    timestamp        DateTime64(3, 'UTC') DEFAULT now64(3),
    delivery_id      UUID,
    channel_id       UUID,
    channel_name     String,
    channel_kind     LowCardinality(String),
    model            String,
    fingerprints     Array(String),
    kind             LowCardinality(String),
    attempt          UInt16,
    status           LowCardinality(String),
    response_code    Nullable(UInt16),
    error            String,
    duration_ms      Float64,
    next_attempt_at  Nullable(DateTime64(3, 'UTC'))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (timestamp, channel_id)
