-- A message that carries a live secret (a verification, password-reset or
-- invitation link) has its bodies removed once it is sent; sent messages
-- are deleted after the retention period, oldest first.
ALTER TABLE outgoing_email ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE outgoing_email ADD COLUMN redacted_at TIMESTAMP;
CREATE INDEX outgoing_email_status_sent ON outgoing_email(status, sent_at);
