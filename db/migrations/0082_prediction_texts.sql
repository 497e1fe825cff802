-- Text fields of logged predictions (issue #18): one row per event and text name. A table of its
-- own, like prediction_embeddings (0080): the text descriptors read one model's one name over a
-- time range as one contiguous range, and predictions' maps stay lean for every other query (a
-- Map of texts would be read whole to get one name). ZSTD(3): prompts compress well.
-- Retention and deduplication as predictions (0001); `osprey migrate` sets the TTL.
CREATE TABLE IF NOT EXISTS prediction_texts
(
    event_id   UUID,
    timestamp  DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    model      LowCardinality(String),
    version    LowCardinality(String),
    name       LowCardinality(String),
    text       String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (model, name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(90)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
