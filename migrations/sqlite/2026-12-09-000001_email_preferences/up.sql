-- Each person's choice for each kind of optional email; no row: the kind's
-- default (every kind on, the partner digest off).
CREATE TABLE email_preferences (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);
-- Who takes the daily digest, read by the maintenance loop in pages.
CREATE INDEX email_preferences_kind ON email_preferences(kind, enabled, user_id);

-- The last daily digest each partner member was sent: the next one covers
-- what came after it.
CREATE TABLE email_digests (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL
);

-- The SLA order (`queue_key`) a ticket's assignee was last warned about:
-- one warning per due time.
ALTER TABLE tickets ADD COLUMN sla_warned_key BIGINT;
