-- The delivery queue: one message to one channel (a group of alerts of one model, or a test),
-- with its status (grouping while group_wait runs, pending, retrying, delivered, failed), attempts
-- and next due time. Persisted so a restart loses no pending delivery. Read with FINAL.
CREATE TABLE IF NOT EXISTS deliveries
(
    id          UUID,
    channel_id  UUID,
    group_key   String,
    model       String,
    status      LowCardinality(String),
    attempts    UInt16,
    due_at      DateTime64(3, 'UTC'),
    alerts      String CODEC(ZSTD(1)),
    last_error  String,
    created_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
