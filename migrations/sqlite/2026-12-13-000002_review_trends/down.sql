DROP INDEX reviews_partner_trend;
