-- A shadow run's comparisons as columns: one row per scored batch, each column an array with one
-- element per event (what production logged, what the candidate answered, the label when one had
-- arrived). The run's summary, the run page's histogram and confusion table and the
-- shadow.disagreement alert metric read these arrays (ARRAY JOIN), so every event counts while a
-- replay writes one row per batch instead of one per event: a row per event cost ~5 µs of
-- ClickHouse's time (22 ms per 4,096 on 2 cores), five times the candidate's inference.
-- shadow_results (0023) keeps one row per event only for the events worth reading one by one:
-- the run's sample (the dashboard's scatter), every disagreement and every labelled event.
-- * ts_min/ts_max bound the batch's event times, so a time window skips batches unread.
-- * Nullable arrays hold null where shadow_results would (no number logged, output not finite).
CREATE TABLE IF NOT EXISTS shadow_batches
(
    run_id             UUID,
    batch              UInt32,
    model              LowCardinality(String),
    candidate_version  LowCardinality(String),
    batch_ms           Float32,
    ts_min             DateTime64(3, 'UTC'),
    ts_max             DateTime64(3, 'UTC'),
    timestamp          Array(DateTime64(3, 'UTC')),
    production_version Array(LowCardinality(String)),
    production_num     Array(Nullable(Float64)),
    production_label   Array(Nullable(String)),
    candidate_num      Array(Nullable(Float64)),
    candidate_label    Array(Nullable(String)),
    abs_diff           Array(Nullable(Float64)),
    agree              Array(Nullable(UInt8)),
    label_num          Array(Nullable(Float64)),
    label_str          Array(Nullable(String)),
    scored_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(scored_at)
ORDER BY (run_id, batch)
