-- Reference datasets logged through the SDKs (`logReference` / `log_reference`, POST /v1/reference):
-- what a model version's inputs and outputs should look like, typically its training or validation
-- data. The feature and prediction columns are those of predictions, so the detectors read either
-- table with the same SQL. Rows of one upload share a reference_id; ordered for reading one upload.
-- No TTL: a reference stays until it is replaced.
CREATE TABLE IF NOT EXISTS reference_rows
(
    model            LowCardinality(String),
    version          LowCardinality(String),
    reference_id     LowCardinality(String),
    timestamp        DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    num_features     Map(LowCardinality(String), Float64) CODEC(ZSTD(1)),
    cat_features     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    bool_features    Map(LowCardinality(String), Bool) CODEC(ZSTD(1)),
    null_features    Array(LowCardinality(String)),
    prediction_num   Nullable(Float64),
    prediction_label LowCardinality(Nullable(String)),
    prediction_vec   Array(Float32) CODEC(ZSTD(1)),
    tags             Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = MergeTree
ORDER BY (model, reference_id, timestamp)
SETTINGS non_replicated_deduplication_window = 10000
