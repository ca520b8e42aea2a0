-- Figures over time: each chart counts a range of one of these indexes.
CREATE INDEX consents_partner_given ON consents(partner_id, given_at);
CREATE INDEX consents_partner_withdrawn ON consents(partner_id, withdrawn_at);
CREATE INDEX engagements_created ON engagements(created_at);
CREATE INDEX listings_published ON listings(published_at);
CREATE INDEX tickets_partner_resolved ON tickets(partner_id, resolved_at);
CREATE INDEX tickets_assignee_created ON tickets(assignee_id, created_at);
CREATE INDEX tickets_assignee_resolved ON tickets(assignee_id, resolved_at);
-- When a partner was last approved (the admin's partners approved per day).
ALTER TABLE partners ADD COLUMN approved_at TIMESTAMP;
UPDATE partners SET approved_at = updated_at WHERE status = 'approved';
CREATE INDEX partners_approved ON partners(approved_at);
-- Each customer's segment by the same rules a month before the scores were
-- computed (none when they were not a customer yet).
ALTER TABLE customer_scores ADD COLUMN past_segment TEXT;
-- Scores stored before this have no segment a month ago: their partners are
-- scored again (on the next visit or by the maintenance loop) rather than
-- showing every customer as new.
DELETE FROM customer_score_runs;
