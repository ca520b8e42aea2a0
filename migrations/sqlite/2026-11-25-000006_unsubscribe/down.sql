ALTER TABLE outgoing_email DROP COLUMN unsubscribe_url;
