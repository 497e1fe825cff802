-- Registered model versions: the ONNX artifact (by sha256, stored in OSPREY_ARTIFACT_DIR, not
-- here), its signature as onnxruntime read it (input/output names, types, shapes) and the input
-- spec (which logged features, in which order, make which input tensor), both JSON documents
-- validated by the shadow-runner workspace. Keyed by (model, version); a re-push of the same bytes
-- is a no-op and different bytes under a taken version are refused, so rows do not change in
-- practice, but the ReplacingMergeTree keeps a correction (a newer updated_at) cheap.
CREATE TABLE IF NOT EXISTS model_versions
(
    model        LowCardinality(String),
    version      String,
    sha256       String,
    size_bytes   UInt64,
    filename     String,
    signature    String,
    input_spec   String,
    description  String,
    created_at   DateTime64(3, 'UTC'),
    created_by   String,
    updated_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (model, version)
