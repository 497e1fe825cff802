-- Who did what, when and why. Append-only.
CREATE TABLE IF NOT EXISTS audit_log
(
    timestamp  DateTime64(3, 'UTC') DEFAULT now64(3),
    actor      String,
    action     LowCardinality(String),
    target     String,
    details    String CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (timestamp, action)
