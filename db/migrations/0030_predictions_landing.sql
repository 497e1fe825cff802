-- Where writers insert predictions: a Null table with the columns a row carries, map keys and the
-- other low-cardinality strings typed as plain String. ClickHouse parses String keys far cheaper
-- than into LowCardinality (measured with JSONCompactEachRow, 20 features a row: 8.7 against
-- 13.3 µs of CPU per row, conversion included), and the materialized view in 0031 converts each
-- block to predictions' types in bulk. Nothing is stored here. A column added to predictions that
-- rows carry must be added here too. Insert deduplication tokens apply to the view's insert
-- (deduplicate_blocks_in_dependent_materialized_views), so a retried insert is still a no-op.
CREATE TABLE IF NOT EXISTS predictions_landing
(
    event_id         UUID,
    timestamp        DateTime64(3, 'UTC'),
    model            String,
    version          String,
    num_features     Map(String, Float64),
    cat_features     Map(String, String),
    bool_features    Map(String, Bool),
    null_features    Array(String),
    prediction_num   Nullable(Float64),
    prediction_label Nullable(String),
    prediction_vec   Array(Float32),
    latency_ms       Nullable(Float64),
    error            String,
    tags             Map(String, String),
    request_id       String
)
ENGINE = Null
