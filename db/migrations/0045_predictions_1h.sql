-- Per-hour rollup of predictions: predictions_1m (0042) one level up, for ranges of days. Same
-- columns, engine, TTL and deduplication as 0042; filled by 0046 from predictions_1m's blocks and
-- backfilled by 0047.
CREATE TABLE IF NOT EXISTS predictions_1h
(
    model       LowCardinality(String),
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
ORDER BY (model, version, timestamp)
TTL timestamp + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
