-- Each customer's RFM inputs and scores, worked out per partner by a
-- background refresh so that no page ranks every customer per request.
-- Whether the person still consents is never read from here: the pages
-- join the live engagements.
CREATE TABLE customer_scores (
    partner_id BIGINT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    consumer_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_activity_at TIMESTAMP NOT NULL,
    first_activity_at TIMESTAMP NOT NULL,
    -- Activities with the partner in the 90 days before computed_at.
    frequency INTEGER NOT NULL,
    -- Mean rating in hundredths (450 = 4.5); 0 when the customer never rated.
    satisfaction INTEGER NOT NULL,
    r_score INTEGER NOT NULL,
    f_score INTEGER NOT NULL,
    s_score INTEGER NOT NULL,
    segment TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, consumer_id)
);
CREATE INDEX customer_scores_recent ON customer_scores(partner_id, last_activity_at, consumer_id);
CREATE INDEX customer_scores_frequent ON customer_scores(partner_id, frequency, consumer_id);
CREATE INDEX customer_scores_satisfied ON customer_scores(partner_id, satisfaction, consumer_id);
CREATE INDEX customer_scores_segment ON customer_scores(partner_id, segment, last_activity_at, consumer_id);

-- One row per partner whose scores were computed: when, and how many of
-- the partner's activities after `seen_after` (a few seconds before the
-- computation) it saw, so the refresh finds the partners with anything new,
-- even a write that committed just after it read.
CREATE TABLE customer_score_runs (
    partner_id BIGINT PRIMARY KEY REFERENCES partners(id) ON DELETE CASCADE,
    computed_at TIMESTAMP NOT NULL,
    seen_after TIMESTAMP NOT NULL,
    seen_count INTEGER NOT NULL,
    customers INTEGER NOT NULL
);
CREATE INDEX customer_score_runs_computed ON customer_score_runs(computed_at);

-- The live consent check of the customer pages, and the refresh's reads.
CREATE INDEX engagements_customer ON engagements(partner_id, consumer_id, consent);
CREATE INDEX activities_customer ON activities(partner_id, consumer_id, created_at);
CREATE INDEX activities_timeline ON activities(partner_id, consumer_id, id);
CREATE INDEX reviews_customer ON reviews(partner_id, consumer_id, rating);
CREATE INDEX tickets_customer ON tickets(partner_id, requester_id, satisfaction_rating);

-- The partner overview. Views are summed over the partner's listings by a
-- join that reads this index alone.
CREATE INDEX listing_views_covering ON listing_views(listing_id, day, views);
CREATE INDEX tickets_partner_status ON tickets(partner_id, status);
CREATE INDEX tickets_partner_created ON tickets(partner_id, created_at, first_response_at);
