-- A detector family's state fitted on a reference (issue #16): the multivariate drift's
-- preprocessing and PCA basis, and whatever else a family fits once per reference and reuses for
-- every window (JSON, shaped by the family: detectors/src/<family>/). Keyed like
-- reference_profiles (reference_key names the reference's rows); a refit appends a newer row and
-- readers take the latest (argMax by computed_at).
CREATE TABLE IF NOT EXISTS reference_fits
(
    model          LowCardinality(String),
    reference_key  String,
    family         LowCardinality(String),
    fit            String CODEC(ZSTD(3)),
    computed_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (model, reference_key, family)
