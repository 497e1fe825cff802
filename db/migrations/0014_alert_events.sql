-- Every transition of an alert instance (pending, firing, resolved, inactive) and every action a
-- firing rule asked for (event = 'action'). Append-only; `silenced` when a silence matched.
CREATE TABLE IF NOT EXISTS alert_events
(
    timestamp     DateTime64(3, 'UTC') DEFAULT now64(3),
    event_id      UUID,
    fingerprint   String,
    rule_id       UUID,
    rule_name     String,
    model         LowCardinality(String),
    feature       String,
    segment       String,
    metric        LowCardinality(String),
    severity      LowCardinality(String),
    event         LowCardinality(String),
    from_state    LowCardinality(String),
    value         Nullable(Float64),
    op            LowCardinality(String),
    threshold     Float64,
    window_start  DateTime64(3, 'UTC'),
    window_end    DateTime64(3, 'UTC'),
    silenced      Bool,
    details       String CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (model, timestamp, fingerprint)
