-- Where an active ticket stands in the desk's SLA order, as one integer an
-- index can range over. The stored due times alone cannot say it: which one
-- runs depends on whether the first response was given, and a paused clock
-- has no due time at all.
--   running clock: the next due time, microseconds since 1970 (UTC);
--   paused clock:  2^61 - number, after every due time, newest first;
--   resolved or closed: NULL, in no active queue.
-- "Breaching SLA" is then the range queue_key <= (now + 1 hour).
ALTER TABLE tickets ADD COLUMN queue_key BIGINT GENERATED ALWAYS AS (
  CASE
    WHEN status NOT IN ('new', 'open', 'pending') THEN NULL
    WHEN paused_since IS NOT NULL
      OR (CASE WHEN first_response_at IS NULL THEN first_response_due ELSE resolution_due END) IS NULL
      THEN 2305843009213693952 - number
    ELSE
      CAST(strftime('%s', CASE WHEN first_response_at IS NULL THEN first_response_due ELSE resolution_due END) AS INTEGER) * 1000000
      + CAST(substr(substr(CASE WHEN first_response_at IS NULL THEN first_response_due ELSE resolution_due END, 21) || '000000', 1, 6) AS INTEGER)
  END
) VIRTUAL;

-- The desk's queues and filters, each in the queue's order.
CREATE INDEX tickets_queue ON tickets(queue_key, id);
CREATE INDEX tickets_status_queue ON tickets(status, queue_key, id);
CREATE INDEX tickets_assignee_queue ON tickets(assignee_id, queue_key, id);
CREATE INDEX tickets_partner_queue ON tickets(partner_id, queue_key, id);
-- Recently resolved, and the reports' periods.
CREATE INDEX tickets_resolved ON tickets(resolved_at, id);
CREATE INDEX tickets_created ON tickets(created_at, id);
-- A partner's and a requester's tickets, newest first.
CREATE INDEX tickets_partner_id ON tickets(partner_id, id);
CREATE INDEX tickets_requester_id ON tickets(requester_id, id);
DROP INDEX tickets_requester;
DROP INDEX tickets_partner;
DROP INDEX tickets_status;
DROP INDEX tickets_assignee;

-- Admin lists, newest first, and the canned replies by title.
CREATE INDEX users_created ON users(created_at, id);
CREATE INDEX partners_status_id ON partners(status, id);
DROP INDEX partners_status;
CREATE INDEX outgoing_email_status_id ON outgoing_email(status, id);
CREATE INDEX canned_replies_title ON canned_replies(title, id);
