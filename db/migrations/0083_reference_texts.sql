-- Text fields of reference rows (issue #18), as prediction_texts (0082) for predictions; keyed like
-- reference_embeddings (0081). The reference vocabulary (OOV share) is read from here. No TTL.
CREATE TABLE IF NOT EXISTS reference_texts
(
    model         LowCardinality(String),
    version       LowCardinality(String),
    reference_id  LowCardinality(String),
    timestamp     DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    name          LowCardinality(String),
    text          String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (model, reference_id, name, timestamp)
SETTINGS non_replicated_deduplication_window = 10000
