ALTER TABLE tickets DROP COLUMN follow_up_of;
ALTER TABLE outgoing_email DROP COLUMN reply_to;
ALTER TABLE ticket_messages DROP COLUMN matched_by;
ALTER TABLE ticket_messages DROP COLUMN inbound_id;
DROP TABLE ticket_mail_ids;
DROP TABLE inbound_mail;
