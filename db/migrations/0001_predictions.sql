-- Every logged prediction. The table that grows to billions of rows, so every choice here is for
-- "one model, one time range" scans:
-- * ORDER BY (model, version, timestamp): the primary index narrows a per-model (and per-version)
--   time-range query to the granules it needs; a model has few versions, so a model-wide range is a
--   handful of contiguous runs.
-- * PARTITION BY day: retention drops whole parts (ttl_only_drop_parts) instead of rewriting them,
--   and a time-range query prunes partitions by min/max before touching the index.
-- * LowCardinality for model, version and map keys: few distinct values, dictionary-encoded.
-- * Features are split by type into maps so numeric statistics never parse strings; nulls are
--   kept as names so missing-value rates stay computable.
-- * is_error is materialised at insert so error rates read one byte per row, not the message.
-- * Bloom filters on event_id / request_id serve the label join and point look-ups.
-- * non_replicated_deduplication_window keeps the hashes of recent inserts, so an insert retried
--   with the same insert_deduplication_token (a writer retry, a redelivered Kafka batch) is a no-op.
-- The TTL below is the default; `osprey migrate` sets it from OSPREY_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS predictions
(
    event_id         UUID,
    timestamp        DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    received_at      DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, ZSTD(1)),
    model            LowCardinality(String),
    version          LowCardinality(String),
    num_features     Map(LowCardinality(String), Float64) CODEC(ZSTD(1)),
    cat_features     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    bool_features    Map(LowCardinality(String), Bool) CODEC(ZSTD(1)),
    null_features    Array(LowCardinality(String)),
    prediction_num   Nullable(Float64),
    prediction_label LowCardinality(Nullable(String)),
    prediction_vec   Array(Float32) CODEC(ZSTD(1)),
    latency_ms       Nullable(Float64) CODEC(Gorilla, ZSTD(1)),
    error            String CODEC(ZSTD(3)),
    is_error         Bool MATERIALIZED error != '',
    tags             Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    request_id       String CODEC(ZSTD(1)),
    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 4,
    INDEX idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (model, version, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
