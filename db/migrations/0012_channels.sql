-- Notification channels (email, webhook). `config` is the channel's JSON without secrets;
-- `secrets` holds the webhook signing secrets (JSON, newest first, with their expiry during a
-- rotation) and is never listed. A 410 from a webhook sets disabled_reason. Read with FINAL.
CREATE TABLE IF NOT EXISTS channels
(
    id               UUID,
    name             String,
    kind             LowCardinality(String),
    config           String,
    secrets          String,
    disabled_reason  String,
    deleted          Bool DEFAULT false,
    version          UInt64,
    updated_at       DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_by       String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
