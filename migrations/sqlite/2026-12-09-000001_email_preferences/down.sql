ALTER TABLE tickets DROP COLUMN sla_warned_key;
DROP TABLE email_digests;
DROP TABLE email_preferences;
