-- Dashboard users: email, role (admin | editor | viewer) and a scrypt password hash in the PHC-like
-- form `scrypt$N$r$p$salt$hash` (db/src/auth/password.ts). An edit or a deletion appends a newer
-- row (updated_at is the version); reads use FINAL. Email uniqueness is checked by the writer.
CREATE TABLE IF NOT EXISTS users
(
    id             UUID,
    email          String,
    name           String,
    role           LowCardinality(String),
    password_hash  String,
    created_at     DateTime64(3, 'UTC'),
    deleted_at     Nullable(DateTime64(3, 'UTC')),
    updated_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id
