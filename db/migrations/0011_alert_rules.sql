-- Alert rules (docs/alerts.md): the rule as the API accepts it (JSON, validated by
-- detectors/src/alerts/rules), keyed by id. An edit or a deletion appends a newer version; read
-- with FINAL. Every change is also in audit_log.
CREATE TABLE IF NOT EXISTS alert_rules
(
    id          UUID,
    name        String,
    rule        String,
    deleted     Bool DEFAULT false,
    version     UInt64,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_by  String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
