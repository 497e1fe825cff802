-- One row per detection of one window (model, window, version filter, segment): the run's
-- document as the API returns it. Recomputing a window adds a newer run; readers take the latest
-- (argMax by computed_at), which is what makes a recompute replace the window's results.
CREATE TABLE IF NOT EXISTS detector_runs
(
    run_id         UUID,
    model          LowCardinality(String),
    window_start   DateTime64(3, 'UTC'),
    window_end     DateTime64(3, 'UTC'),
    version        LowCardinality(String),
    segment        String,
    detector       LowCardinality(String),
    reference_key  String,
    document       String CODEC(ZSTD(3)),
    computed_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (model, detector, window_start, window_end, version, segment, computed_at)
