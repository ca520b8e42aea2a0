-- Files attached to ticket messages (on the web or by email). The bytes
-- are kept under the attachments folder by their SHA-256; a row says
-- which message carries them, under which name, and the type read from
-- the content itself. Rows go with their message and ticket; files no
-- row names any more are removed by the clean-up pass.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES ticket_messages(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);

-- Every file kept under the attachments folder, so that the clean-up
-- finds the ones no attachment names without reading the folder.
CREATE TABLE attachment_files (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachment_files_created ON attachment_files(created_at);
