-- Two-step sign-in with a code app (RFC 6238). A row without
-- `confirmed_at` is a set-up not yet confirmed by a first code.
-- `last_step` is the time step of the last code taken: a code is taken
-- once, never again within its window.
CREATE TABLE totp_credentials (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Single-use recovery codes, kept as SHA-256 digests.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id, code_hash);
