DROP INDEX canned_replies_title;
DROP INDEX outgoing_email_status_id;
CREATE INDEX partners_status ON partners(status);
DROP INDEX partners_status_id;
DROP INDEX users_created;

CREATE INDEX tickets_requester ON tickets(requester_id);
CREATE INDEX tickets_partner ON tickets(partner_id);
CREATE INDEX tickets_status ON tickets(status, resolution_due);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
DROP INDEX tickets_requester_id;
DROP INDEX tickets_partner_id;
DROP INDEX tickets_created;
DROP INDEX tickets_resolved;
DROP INDEX tickets_partner_queue;
DROP INDEX tickets_assignee_queue;
DROP INDEX tickets_status_queue;
DROP INDEX tickets_queue;
ALTER TABLE tickets DROP COLUMN queue_key;
