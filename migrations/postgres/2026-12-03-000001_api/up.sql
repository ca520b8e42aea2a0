-- A partner's API tokens. Only a SHA-256 of the secret is kept; `prefix`
-- is its first characters, shown so a person can tell tokens apart.
-- `scopes` lists what the token may do, separated by spaces.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX api_tokens_partner ON api_tokens(partner_id, id);

-- The API pages a partner's listings by id (newest first), with or
-- without a status.
CREATE INDEX listings_partner_id ON listings(partner_id, id);
CREATE INDEX listings_partner_status_id ON listings(partner_id, status, id);

-- Requests, newest first by id, for the API.
CREATE INDEX engagements_partner_id ON engagements(partner_id, id);

-- POSTs sent with an Idempotency-Key: the first one's answer, replayed to
-- a retry with the same key and body instead of doing the work twice.
-- A row without a status is a request still being handled. Kept a day.
CREATE TABLE api_idempotency (
    token_id BIGINT NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    location TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);
