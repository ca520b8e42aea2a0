-- Consent is about a partner, not one request: one row per consumer and
-- partner, kept from the first time the consumer agreed to share their
-- name and email with the partner. `given` is what every page checks.
CREATE TABLE consents (
    partner_id BIGINT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    consumer_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    given BOOLEAN NOT NULL,
    given_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    PRIMARY KEY (partner_id, consumer_id)
);
CREATE INDEX consents_consumer ON consents(consumer_id);

-- Consent stood where any request of the pair carried it (what the pages
-- read until now); a pair that gave it once keeps its history.
INSERT INTO consents (partner_id, consumer_id, given, given_at, withdrawn_at)
SELECT partner_id, consumer_id, bool_or(consent), MAX(consent_at),
       CASE WHEN bool_or(consent) THEN NULL ELSE MAX(consent_withdrawn_at) END
FROM engagements
WHERE consent_at IS NOT NULL
GROUP BY partner_id, consumer_id;

DROP INDEX engagements_customer;
ALTER TABLE engagements DROP COLUMN consent;
ALTER TABLE engagements DROP COLUMN consent_at;
ALTER TABLE engagements DROP COLUMN consent_withdrawn_at;
-- Whether the consumer asked this partner at all.
CREATE INDEX engagements_customer ON engagements(partner_id, consumer_id);
