ALTER TABLE engagements DROP COLUMN reply_at;
ALTER TABLE engagements DROP COLUMN reply_body;
