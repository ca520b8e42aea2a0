-- The overview's average rating per day: visible reviews of a partner by
-- time, with their ratings, read from the index alone.
CREATE INDEX reviews_partner_trend ON reviews(partner_id, created_at, hidden_at, rating);
