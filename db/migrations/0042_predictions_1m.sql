-- Per-minute rollup of predictions for the dashboard (db/src/rollups): per model, version and
-- minute, the counts and a mergeable latency sketch, so a range reads thousands of rows instead of
-- millions. Filled by 0043 from every block that reaches predictions, backfilled by 0044.
-- * AggregatingMergeTree: merges add the sums and merge the sketches; readers still GROUP BY,
--   since unmerged parts hold several rows of one key.
-- * latency is DDSketch (1% relative accuracy): small and exactly mergeable, so a range read from
--   rollups and raw rows agrees with one read from raw rows only. Nulls are skipped; `latencies`
--   counts the values it holds.
-- * `timestamp` is the minute's start, named like predictions' column so `osprey migrate` sets the
--   retention TTL of both from OSPREY_RETENTION_DAYS (RETAINED_TABLES): whole days drop together.
-- * non_replicated_deduplication_window: a block redelivered with its insert token (a Kafka batch
--   replayed after a crash) is deduplicated here as it is in predictions
--   (deduplicate_blocks_in_dependent_materialized_views), so it is not counted twice.
CREATE TABLE IF NOT EXISTS predictions_1m
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
