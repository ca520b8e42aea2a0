-- Passkeys (WebAuthn credentials) for signing in without a password.
-- `passkey` is the credential as the WebAuthn library keeps it (JSON: the
-- public key and its counter); `credential_id` (base64url) finds it when
-- a browser answers; `user_handle` is the random-looking id the
-- authenticator keeps for the account.
CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    user_handle TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX passkeys_credential ON passkeys(credential_id);
CREATE INDEX passkeys_user ON passkeys(user_id, id);

-- A ceremony under way: what the server asked the browser, until it
-- answers (once) or the few minutes pass.
CREATE TABLE webauthn_challenges (
    id TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges(expires_at);
