-- Per-hour rollup of predictions per segment: predictions_segments_1m (0050) one level up, for
-- ranges of days. Same columns, engine, TTL and deduplication as 0050; filled by 0052 from
-- predictions_segments_1m's blocks (so also from the backfills that insert there).
CREATE TABLE IF NOT EXISTS predictions_segments_1h
(
    model       LowCardinality(String),
    tag         LowCardinality(String),
    value       String,
    version     LowCardinality(String),
    timestamp   DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    events      SimpleAggregateFunction(sum, UInt64),
    errors      SimpleAggregateFunction(sum, UInt64),
    latencies   SimpleAggregateFunction(sum, UInt64),
    latency     AggregateFunction(quantilesDD(0.01, 0.5, 0.95, 0.99), Nullable(Float64)) CODEC(ZSTD(1)),
    last_seen   SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(timestamp)
ORDER BY (model, tag, value, version, timestamp)
TTL timestamp + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
