CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_partner ON invitations(partner_id);

CREATE TABLE listing_views (
    listing_id INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (listing_id, day)
);

CREATE TABLE engagements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    consumer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    consent BOOLEAN NOT NULL DEFAULT 0,
    consent_at TIMESTAMP,
    consent_withdrawn_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (listing_id, consumer_id)
);
CREATE INDEX engagements_partner ON engagements(partner_id, created_at);
CREATE INDEX engagements_consumer ON engagements(consumer_id);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_id INTEGER REFERENCES partners(id) ON DELETE CASCADE,
    listing_id INTEGER REFERENCES listings(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_partner ON activities(partner_id, created_at);
CREATE INDEX activities_consumer ON activities(consumer_id, created_at);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    consumer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL,
    body TEXT NOT NULL,
    hidden_at TIMESTAMP,
    hidden_reason TEXT,
    reply_body TEXT,
    reply_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (listing_id, consumer_id)
);
CREATE INDEX reviews_partner ON reviews(partner_id);

CREATE VIRTUAL TABLE listing_search USING fts5(
    title, summary, body, partner_name,
    tokenize = 'unicode61 remove_diacritics 2'
);
