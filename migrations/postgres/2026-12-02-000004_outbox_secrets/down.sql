DROP INDEX outgoing_email_status_sent;
ALTER TABLE outgoing_email DROP COLUMN redacted_at;
ALTER TABLE outgoing_email DROP COLUMN sensitive;
