-- A reference's profile, computed once per reference and feature and reused by every window:
-- quantile bin edges with the reference's counts per bin, category counts, moments, sample size
-- (JSON, shaped by detectors/src/reference/profile.ts). reference_key names the reference:
-- dataset:<reference_id>, range:<from>/<to>, window:<from>/<to>.
CREATE TABLE IF NOT EXISTS reference_profiles
(
    model          LowCardinality(String),
    reference_key  String,
    target         Enum8('feature' = 1, 'prediction' = 2),
    feature        String,
    kind           Enum8('numeric' = 1, 'categorical' = 2, 'binary' = 3),
    profile        String,
    computed_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (model, reference_key, target, feature)
