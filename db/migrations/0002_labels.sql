-- Ground truth that arrives after the prediction. Joined to predictions by event_id or
-- request_id (both bloom-indexed on both sides); ordered like predictions for per-model ranges.
CREATE TABLE IF NOT EXISTS labels
(
    model        LowCardinality(String),
    event_id     Nullable(UUID),
    request_id   String CODEC(ZSTD(1)),
    label_num    Nullable(Float64),
    label_str    LowCardinality(Nullable(String)),
    timestamp    DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    received_at  DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, ZSTD(1)),
    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 4,
    INDEX idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (model, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
