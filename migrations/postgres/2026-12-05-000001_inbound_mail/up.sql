-- Every email received, once per Message-ID (an MTA's retry or a second
-- fetch finds the row and adds nothing), with the original as it came and
-- what became of it: `outcome` is added, opened, ignored or refused;
-- `matched_by` how it found its ticket (headers, reply_address, subject).
-- Mail that joined no ticket is deleted after the retention period; mail
-- of a ticket goes with the ticket.
CREATE TABLE inbound_mail (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    from_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    raw TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    matched_by TEXT,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX inbound_mail_received ON inbound_mail(received_at);
CREATE INDEX inbound_mail_ticket ON inbound_mail(ticket_id);

-- The Message-IDs of emails about a ticket, sent and received: a reply's
-- In-Reply-To or References finds its ticket here.
CREATE TABLE ticket_mail_ids (
    message_id TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE
);
CREATE INDEX ticket_mail_ids_ticket ON ticket_mail_ids(ticket_id);

-- A message that came by email: the mail it came in and how it was
-- matched. (Added columns carry no foreign key, so that SQLite can drop
-- them again; a message goes with its ticket, and its mail with it.)
ALTER TABLE ticket_messages ADD COLUMN inbound_id BIGINT;
ALTER TABLE ticket_messages ADD COLUMN matched_by TEXT;

-- Replies to ticket emails go to a signed address of the ticket.
ALTER TABLE outgoing_email ADD COLUMN reply_to TEXT;

-- A ticket opened by a reply to a closed one points back at it, by
-- number.
ALTER TABLE tickets ADD COLUMN follow_up_of BIGINT;
