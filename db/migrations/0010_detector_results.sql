-- Every statistic of every run, one row each, for alert rules and dashboards to query:
-- drift per feature and for the prediction, latency, errors, throughput, performance.
-- status: 'drift' / 'ok' on the row a verdict was taken from (is_verdict), 'info' on the others.
CREATE TABLE IF NOT EXISTS detector_results
(
    run_id          UUID,
    model           LowCardinality(String),
    window_start    DateTime64(3, 'UTC'),
    window_end      DateTime64(3, 'UTC'),
    version         LowCardinality(String),
    segment         String,
    detector        LowCardinality(String),
    target          LowCardinality(String),
    feature         String,
    kind            LowCardinality(String),
    statistic       LowCardinality(String),
    value           Nullable(Float64),
    p_value         Nullable(Float64),
    threshold       Nullable(Float64),
    is_verdict      Bool,
    status          LowCardinality(String),
    reference_size  UInt64,
    current_size    UInt64,
    computed_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (model, detector, window_start, feature, statistic)
