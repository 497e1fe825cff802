-- Silences: matchers on alert labels and a time range; matching alerts are not notified (their
-- events are still recorded). Expiring a silence early appends a version with ends_at = now.
CREATE TABLE IF NOT EXISTS silences
(
    id          UUID,
    matchers    String,
    starts_at   DateTime64(3, 'UTC'),
    ends_at     DateTime64(3, 'UTC'),
    comment     String,
    created_by  String,
    version     UInt64,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
