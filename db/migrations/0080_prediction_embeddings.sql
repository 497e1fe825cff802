-- Vector features of logged predictions (issue #18): one row per event and embedding name, the
-- vector as Float32 (what models produce; half the bytes of Float64).
-- Why a table of its own rather than a column of predictions:
-- * the embedding detector reads one model's one name over a time range: ORDER BY (model, name,
--   timestamp) makes that one contiguous range of one column, and nothing else is read;
-- * predictions' Map columns stay lean for every other detector and dashboard query, which would
--   otherwise carry kilobytes of vector per row through every scan of those columns;
-- * a Map(String, Array(Float32)) would be read whole (every name's vectors) to get one name.
-- event_id joins a vector back to its prediction (and its texts) for the examples view.
-- Retention, partitioning and deduplication are those of predictions (0001): `osprey migrate`
-- sets the TTL from OSPREY_RETENTION_DAYS, and a retried insert with the same
-- insert_deduplication_token is a no-op.
CREATE TABLE IF NOT EXISTS prediction_embeddings
(
    event_id   UUID,
    timestamp  DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    model      LowCardinality(String),
    version    LowCardinality(String),
    name       LowCardinality(String),
    vector     Array(Float32) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (model, name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
