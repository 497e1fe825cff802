-- Dashboard sessions. The cookie carries a 256-bit random token; only its SHA-256 is stored (the
-- key `id`), so a read of this table cannot sign anyone in. Logout appends a row with revoked_at.
-- Rows go a day after they expire.
CREATE TABLE IF NOT EXISTS sessions
(
    id          String,
    user_id     UUID,
    created_at  DateTime64(3, 'UTC'),
    expires_at  DateTime64(3, 'UTC'),
    revoked_at  Nullable(DateTime64(3, 'UTC')),
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id
TTL toDateTime(expires_at) + INTERVAL 1 DAY
