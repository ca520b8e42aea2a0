-- A partner's answer to a request, passed on to the consumer by the
-- platform (their address stays theirs unless they consented).
ALTER TABLE engagements ADD COLUMN reply_body TEXT;
ALTER TABLE engagements ADD COLUMN reply_at TIMESTAMP;
