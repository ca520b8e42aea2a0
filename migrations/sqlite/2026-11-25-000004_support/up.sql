CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL UNIQUE,
    requester_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_id INTEGER REFERENCES partners(id) ON DELETE SET NULL,
    listing_id INTEGER REFERENCES listings(id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    first_response_due TIMESTAMP,
    resolution_due TIMESTAMP,
    first_response_at TIMESTAMP,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    paused_since TIMESTAMP,
    paused_minutes INTEGER NOT NULL DEFAULT 0,
    satisfaction_rating INTEGER,
    satisfaction_comment TEXT,
    satisfaction_at TIMESTAMP,
    last_activity_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tickets_requester ON tickets(requester_id);
CREATE INDEX tickets_partner ON tickets(partner_id);
CREATE INDEX tickets_status ON tickets(status, resolution_due);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);

CREATE TABLE ticket_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_kind TEXT NOT NULL,
    partner_id INTEGER REFERENCES partners(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    internal BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);

CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sla_policies (
    priority TEXT PRIMARY KEY NOT NULL,
    first_response_minutes INTEGER NOT NULL,
    resolution_minutes INTEGER NOT NULL
);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes) VALUES
    ('urgent', 60, 240), ('high', 240, 1440), ('normal', 480, 4320), ('low', 1440, 10080);

CREATE TABLE business_hours (
    id INTEGER PRIMARY KEY NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    schedule TEXT NOT NULL
);
INSERT INTO business_hours (id, utc_offset_minutes, schedule) VALUES (1, 0, '24x7');
