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
