-- The current state of each alert instance (fingerprint = rule + model + feature + segment):
-- consecutive breaching windows, when it fired or resolved, and what was last notified and when
-- (so a restart sends no duplicate within the rule's repeat interval). Read with FINAL.
CREATE TABLE IF NOT EXISTS alert_states
(
    fingerprint      String,
    rule_id          UUID,
    model            LowCardinality(String),
    feature          String,
    segment          String,
    state            LowCardinality(String),
    consecutive      UInt32,
    value            Nullable(Float64),
    window_start     DateTime64(3, 'UTC'),
    window_end       DateTime64(3, 'UTC'),
    active_since     Nullable(DateTime64(3, 'UTC')),
    fired_at         Nullable(DateTime64(3, 'UTC')),
    resolved_at      Nullable(DateTime64(3, 'UTC')),
    notified_state   LowCardinality(String),
    notified_at      Nullable(DateTime64(3, 'UTC')),
    version          UInt64,
    updated_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY fingerprint
