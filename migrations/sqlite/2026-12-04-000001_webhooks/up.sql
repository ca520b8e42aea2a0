-- A partner's webhook endpoints: where events are posted, and which.
-- `events` lists the chosen event types, separated by spaces. `secret`
-- signs each delivery (Standard Webhooks, `whsec_` + base64); after a
-- rotation `previous_secret` signs too until `previous_until`.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id BIGINT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TIMESTAMP,
    enabled BOOLEAN NOT NULL,
    disabled_at TIMESTAMP,
    disabled_reason TEXT,
    last_success_at TIMESTAMP,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_partner ON webhook_endpoints(partner_id, id);

-- One event for one endpoint, written in the transaction of the change
-- that caused it. `event_id` is the `webhook-id` the receiver sees (the
-- same on a delivery sent again). `payload` is the JSON body; when it
-- names a consumer, `customer_id` says who and `redacted` is the same
-- event without their details, put in its place when their consent to
-- the partner is withdrawn.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    partner_id BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    redacted TEXT,
    customer_id BIGINT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    last_attempt_at TIMESTAMP,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
CREATE INDEX webhook_deliveries_customer ON webhook_deliveries(customer_id, partner_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at);

-- Each try of a delivery: the answer's status and the start of its body.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    response_body TEXT NOT NULL,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
