-- A shadow run's comparisons as columns: one row per scored batch, each column an array with one
-- element per event (what production logged, what the candidate answered, the label when one had
-- arrived). The run's summary, the run page's histogram and confusion table and the
-- shadow.disagreement alert metric read these arrays (ARRAY JOIN), so every event counts while a
-- replay writes one row per batch instead of one per event: a row per event cost ~5 µs of
-- ClickHouse's time (22 ms per 4,096 on 2 cores), five times the candidate's inference.
-- shadow_results (0023) keeps one row per event only for the events worth reading one by one:
-- the run's sample (the dashboard's scatter), every disagreement and every labelled event.
-- * Written as RowBinary whose arrays are the runner's typed arrays byte for byte, so numbers
--   are plain Float64 with NaN where shadow_results holds null (production logged no number, the
--   candidate's output was not finite), agree is 255 where it is null, and event times are epoch
--   milliseconds. db/src/queries/shadow-batches.ts (shadowEvents) turns them back
--   into shadow_results' columns and nulls for every reader.
-- * ts_min/ts_max bound the batch's event times, so a time window skips batches unread.
CREATE TABLE IF NOT EXISTS shadow_batches
(
    run_id             UUID,
    batch              UInt32,
    model              LowCardinality(String),
    candidate_version  LowCardinality(String),
    batch_ms           Float32,
    ts_min             DateTime64(3, 'UTC'),
    ts_max             DateTime64(3, 'UTC'),
    ts_ms              Array(Int64),
    production_version Array(LowCardinality(String)),
    production_num     Array(Float64),
    production_label   Array(Nullable(String)),
    candidate_num      Array(Float64),
    candidate_label    Array(Nullable(String)),
    abs_diff           Array(Float64),
    agree              Array(UInt8),
    label_num          Array(Float64),
    label_str          Array(Nullable(String)),
    scored_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(scored_at)
ORDER BY (run_id, batch)
