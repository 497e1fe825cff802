-- Which version of a model is in production: an append-only log, one row per promote or
-- rollback; the latest row of a model (by changed_at, made strictly increasing per model by the
-- writer) is production. who/why live here and in audit_log; an auto-rollback names its alert, a
-- promote from a shadow run names the run. No TTL: a rollback target must stay known.
CREATE TABLE IF NOT EXISTS deployments
(
    id                UUID,
    model             LowCardinality(String),
    version           String,
    previous_version  String,
    sha256            String,
    action            LowCardinality(String),
    reason            String,
    actor             String,
    alert_id          String,
    shadow_run_id     String,
    changed_at        DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(changed_at)
ORDER BY (model, changed_at)
