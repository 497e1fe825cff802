-- Shadow runs: a candidate model version replayed over logged traffic. One row per state change
-- (queued, running with progress, done/failed/cancelled with the summary and verdict as JSON
-- documents validated by the shadow-runner workspace); the newest row of an id wins.
CREATE TABLE IF NOT EXISTS shadow_runs
(
    id                 UUID,
    model              LowCardinality(String),
    candidate_version  String,
    mode               LowCardinality(String),
    status             LowCardinality(String),
    request            String,
    rows_total         UInt64,
    rows_done          UInt64,
    provider           LowCardinality(String),
    summary            String,
    verdict            String,
    error              String,
    created_by         String,
    created_at         DateTime64(3, 'UTC'),
    started_at         Nullable(DateTime64(3, 'UTC')),
    finished_at        Nullable(DateTime64(3, 'UTC')),
    updated_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id
