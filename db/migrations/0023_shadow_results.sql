-- One row per event a shadow run scored: what production logged, what the candidate answered,
-- and the label when one had arrived. Append-only; ordered for "one run" scans.
CREATE TABLE IF NOT EXISTS shadow_results
(
    run_id             UUID,
    event_id           UUID,
    timestamp          DateTime64(3, 'UTC'),
    model              LowCardinality(String),
    production_version LowCardinality(String),
    candidate_version  LowCardinality(String),
    production_num     Nullable(Float64),
    production_label   Nullable(String),
    candidate_num      Nullable(Float64),
    candidate_label    Nullable(String),
    abs_diff           Nullable(Float64),
    agree              Nullable(UInt8),
    label_num          Nullable(Float64),
    label_str          Nullable(String),
    batch_ms           Float32,
    scored_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(scored_at)
ORDER BY (run_id, timestamp)
