-- API keys: only the SHA-256 of the key is stored (keys are 256-bit random, so a slow hash adds
-- nothing); `prefix` is the public part shown in listings. Revocation appends a newer row.
CREATE TABLE IF NOT EXISTS api_keys
(
    id          UUID,
    name        String,
    prefix      String,
    key_hash    String,
    scopes      Array(LowCardinality(String)),
    created_at  DateTime64(3, 'UTC'),
    revoked_at  Nullable(DateTime64(3, 'UTC')),
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id
