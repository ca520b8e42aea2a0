-- Aggregates the catalogue sorts and shows, kept in the listing's and the
-- partner's own rows so no page sums reviews or views per request.
ALTER TABLE listings ADD COLUMN rating_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;
-- Average in hundredths × 1,000,000 + number of ratings: one integer that
-- orders by average, then by how many ratings it stands on.
ALTER TABLE listings ADD COLUMN rating_key BIGINT NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN views_30d BIGINT NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN rating_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;

UPDATE listings SET
  rating_count = (SELECT COUNT(*) FROM reviews r WHERE r.listing_id = listings.id AND r.hidden_at IS NULL),
  rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM reviews r WHERE r.listing_id = listings.id AND r.hidden_at IS NULL),
  views_30d = (SELECT COALESCE(SUM(views), 0) FROM listing_views v WHERE v.listing_id = listings.id AND v.day >= to_char(CURRENT_DATE - 30, 'YYYY-MM-DD'));
UPDATE listings SET rating_key = CASE WHEN rating_count = 0 THEN 0
  ELSE ((rating_sum * 100 + rating_count / 2) / rating_count) * 1000000 + LEAST(rating_count, 999999) END;
UPDATE partners SET
  rating_count = (SELECT COALESCE(SUM(rating_count), 0) FROM listings l WHERE l.partner_id = partners.id),
  rating_sum = (SELECT COALESCE(SUM(rating_sum), 0) FROM listings l WHERE l.partner_id = partners.id);

CREATE INDEX listings_newest ON listings(status, published_at, id);
CREATE INDEX listings_rated ON listings(status, rating_key, id);
CREATE INDEX listings_popular ON listings(status, views_30d, id);
CREATE INDEX listings_category_newest ON listings(category_id, status, published_at, id);
CREATE INDEX listings_category_rated ON listings(category_id, status, rating_key, id);
CREATE INDEX listings_category_popular ON listings(category_id, status, views_30d, id);
CREATE INDEX listings_partner_newest ON listings(partner_id, status, published_at, id);
CREATE INDEX listings_partner_updated ON listings(partner_id, updated_at, id);
CREATE INDEX reviews_listing_visible ON reviews(listing_id, hidden_at, created_at, id);
CREATE INDEX reviews_partner_newest ON reviews(partner_id, created_at, id);
CREATE INDEX reviews_id_visible ON reviews(hidden_at, id);
CREATE INDEX reviews_consumer ON reviews(consumer_id, id);
CREATE INDEX engagements_partner_newest ON engagements(partner_id, created_at, id);
DROP INDEX listings_status;
