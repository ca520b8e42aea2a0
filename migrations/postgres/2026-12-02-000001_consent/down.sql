DROP INDEX engagements_customer;
ALTER TABLE engagements ADD COLUMN consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE engagements ADD COLUMN consent_at TIMESTAMP;
ALTER TABLE engagements ADD COLUMN consent_withdrawn_at TIMESTAMP;
UPDATE engagements e SET consent = c.given, consent_at = c.given_at,
    consent_withdrawn_at = c.withdrawn_at
FROM consents c
WHERE c.partner_id = e.partner_id AND c.consumer_id = e.consumer_id;
CREATE INDEX engagements_customer ON engagements(partner_id, consumer_id, consent);
DROP TABLE consents;
