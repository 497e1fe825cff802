-- Vector features of reference rows (issue #18), as prediction_embeddings (0080) for predictions
-- and in a table of its own for the same reasons: one reference's one name is one contiguous
-- range, and reference_rows' columns stay lean. Rows of one upload share a reference_id, like
-- reference_rows (0006); timestamp is the reference row's. No TTL: a reference stays until it is
-- replaced. Writers insert here directly: the landing table of reference_rows (0032) saves the
-- parse of many String map keys a row, which an embedding row does not have.
CREATE TABLE IF NOT EXISTS reference_embeddings
(
    model         LowCardinality(String),
    version       LowCardinality(String),
    reference_id  LowCardinality(String),
    timestamp     DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    name          LowCardinality(String),
    vector        Array(Float32) CODEC(ZSTD(1))
)
ENGINE = MergeTree
ORDER BY (model, reference_id, name, timestamp)
SETTINGS non_replicated_deduplication_window = 10000
