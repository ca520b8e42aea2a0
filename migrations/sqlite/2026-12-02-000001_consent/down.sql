DROP INDEX engagements_customer;
ALTER TABLE engagements ADD COLUMN consent BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE engagements ADD COLUMN consent_at TIMESTAMP;
ALTER TABLE engagements ADD COLUMN consent_withdrawn_at TIMESTAMP;
UPDATE engagements SET
    consent = COALESCE((SELECT c.given FROM consents c
        WHERE c.partner_id = engagements.partner_id
        AND c.consumer_id = engagements.consumer_id), 0),
    consent_at = (SELECT c.given_at FROM consents c
        WHERE c.partner_id = engagements.partner_id
        AND c.consumer_id = engagements.consumer_id),
    consent_withdrawn_at = (SELECT c.withdrawn_at FROM consents c
        WHERE c.partner_id = engagements.partner_id
        AND c.consumer_id = engagements.consumer_id);
CREATE INDEX engagements_customer ON engagements(partner_id, consumer_id, consent);
DROP TABLE consents;
