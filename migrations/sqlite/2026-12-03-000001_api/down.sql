DROP TABLE api_idempotency;
DROP INDEX engagements_partner_id;
DROP INDEX listings_partner_status_id;
DROP INDEX listings_partner_id;
DROP TABLE api_tokens;
