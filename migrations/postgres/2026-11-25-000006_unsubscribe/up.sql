ALTER TABLE outgoing_email ADD COLUMN unsubscribe_url TEXT;
