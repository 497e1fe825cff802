-- Per-minute rollup of predictions per segment (db/src/rollups): 0042's columns, keyed also by a
-- tag key and its value, so a segment view (region = eu-west over 30 days) reads the rollups as
-- the all-traffic view does instead of scanning every prediction's tags.
-- * Which tags: the keys a model configures as segments (model settings `segments`, at most 5 a
--   model), not every tag. Tags are free-form: a request id or user id as a tag would make one row
--   per prediction, and no bound on cardinality can be kept by a view that sees one block at a
--   time. The configured keys are the ones a team segments by, and the detectors already compute
--   drift and performance per value of exactly those keys, so every panel of a segment view is
--   answered from stored aggregates. A key stays rolled up once configured (0053 reads every
--   settings row, not only the latest), so removing and re-adding it never counts a row twice.
-- * Filled by 0053 from every block that reaches predictions; rows stored before a key was
--   configured are backfilled when it is (saveSettings → backfillSegmentRollups), rows stored
--   before these migrations by 0054. predictions_segments_1h (0051) is fed from this table's
--   blocks (0052), so every insert here, backfills included, reaches the hours once.
-- * Engine, sketch, TTL (set by `osprey migrate` from OSPREY_RETENTION_DAYS) and deduplication
--   as in 0042.
CREATE TABLE IF NOT EXISTS predictions_segments_1m
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
