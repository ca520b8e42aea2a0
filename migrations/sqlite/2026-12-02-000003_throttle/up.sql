-- Fixed-window counters of rate-limited actions: one row per action,
-- subject (an account, an email address or a client address) and window.
-- A use adds one with an atomic upsert; rows past `expires_at` are purged.
CREATE TABLE rate_counters (
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (action, subject, window_start)
);
CREATE INDEX rate_counters_expires ON rate_counters(expires_at);

-- Failed sign-ins per account (or per known browser of an account): the
-- count of the current streak and until when the next attempt must wait.
CREATE TABLE login_throttle (
    subject TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX login_throttle_expires ON login_throttle(expires_at);
