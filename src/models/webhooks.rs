//! A partner's webhook endpoints and the deliveries queued for them. An
//! event is queued in the transaction of the change that causes it, one
//! delivery per endpoint that chose its type; the webhook worker claims,
//! posts and marks deliveries (`crate::webhooks::worker`).

use crate::db::LimitInText;
use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::{AnyConnection, write_tx};
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::web::paging::{Page, PageRequest};
use crate::webhooks::EventType;

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// Endpoints and deliveries per page.
pub const PAGE_SIZE: usize = 25;

/// The most endpoints one partner may have.
pub const MAX_ENDPOINTS: i64 = 20;

/// How much of an answer's body is kept.
pub const RESPONSE_KEPT: usize = 1024;

/// How long a secret stays valid after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    pub id: i64,
    pub partner_id: i64,
    pub url: String,
    pub description: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<PrimitiveDateTime>,
    pub enabled: bool,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub disabled_reason: Option<String>,
    pub last_success_at: Option<PrimitiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Endpoint {
    /// The event types chosen, in the order of `EventType::ALL`.
    pub fn event_list(&self) -> Vec<EventType> {
        EventType::ALL
            .into_iter()
            .filter(|e| self.chose(*e))
            .collect()
    }

    pub fn chose(&self, e: EventType) -> bool {
        lists(&self.events, e)
    }

    /// The secrets a delivery is signed with at `now`: the current one,
    /// and the one before it during the day after a rotation.
    pub fn signing_secrets(&self, now: PrimitiveDateTime) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_until)
            && until > now
        {
            out.push(old.as_str());
        }
        out
    }

    /// Whether a secret from before the last rotation still signs.
    pub fn rotating(&self, now: PrimitiveDateTime) -> bool {
        self.signing_secrets(now).len() > 1
    }
}

/// Whether an endpoint's stored event list names this type.
fn lists(events: &str, e: EventType) -> bool {
    events.split(' ').any(|s| s == e.as_str())
}

fn event_text(events: &[EventType]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds an endpoint; returns its id and signing secret.
pub fn create(
    conn: &mut AnyConnection,
    partner_id: i64,
    url: &str,
    description: &str,
    events: &[EventType],
    by: i64,
) -> QueryResult<(i64, String)> {
    let secret = crate::webhooks::new_secret();
    let now = super::now();
    let id = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::partner_id.eq(partner_id),
            webhook_endpoints::url.eq(url),
            webhook_endpoints::description.eq(description),
            webhook_endpoints::events.eq(event_text(events)),
            webhook_endpoints::secret.eq(&secret),
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::created_by.eq(Some(by)),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(webhook_endpoints::id)
        .get_result(conn)?;
    Ok((id, secret))
}

/// How many endpoints the partner has.
pub fn count(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<i64> {
    webhook_endpoints::table
        .filter(webhook_endpoints::partner_id.eq(partner_id))
        .count()
        .get_result(conn)
}

/// Changes the endpoint's address, description and events.
pub fn update(
    conn: &mut AnyConnection,
    partner_id: i64,
    id: i64,
    url: &str,
    description: &str,
    events: &[EventType],
) -> QueryResult<bool> {
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::partner_id.eq(partner_id)),
    )
    .set((
        webhook_endpoints::url.eq(url),
        webhook_endpoints::description.eq(description),
        webhook_endpoints::events.eq(event_text(events)),
        webhook_endpoints::updated_at.eq(super::now()),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The partner's endpoint with this id.
pub fn find(conn: &mut AnyConnection, partner_id: i64, id: i64) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .filter(webhook_endpoints::partner_id.eq(partner_id))
        .select(Endpoint::as_select())
        .first(conn)
        .optional()
}

/// A page of the partner's endpoints, newest first.
pub fn page(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Endpoint>> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::partner_id.eq(partner_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(webhook_endpoints::id.lt(id));
    }
    let rows = q
        .order(webhook_endpoints::id.desc())
        .select(Endpoint::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(rows, |e| (e.id, e.id)))
}

/// Deletes the endpoint with its deliveries.
pub fn delete(conn: &mut AnyConnection, partner_id: i64, id: i64) -> QueryResult<bool> {
    diesel::delete(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::partner_id.eq(partner_id)),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// Gives the endpoint a new secret; the one before keeps signing for
/// `ROTATION_OVERLAP`. Returns the new secret.
pub fn rotate(conn: &mut AnyConnection, partner_id: i64, id: i64) -> QueryResult<Option<String>> {
    let Some(e) = find(conn, partner_id, id)? else {
        return Ok(None);
    };
    let secret = crate::webhooks::new_secret();
    let now = super::now();
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::secret.eq(&e.secret)),
    )
    .set((
        webhook_endpoints::secret.eq(&secret),
        webhook_endpoints::previous_secret.eq(Some(&e.secret)),
        webhook_endpoints::previous_until.eq(Some(now + ROTATION_OVERLAP)),
        webhook_endpoints::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| (n == 1).then_some(secret))
}

/// Turns the endpoint on (deliveries waiting for it go out again) or off
/// (`reason` says why; nothing is queued for it meanwhile). Returns
/// whether it changed.
pub fn set_enabled(
    conn: &mut AnyConnection,
    partner_id: i64,
    id: i64,
    enabled: bool,
    reason: Option<&str>,
) -> QueryResult<bool> {
    let now = super::now();
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::partner_id.eq(partner_id))
            .filter(webhook_endpoints::enabled.eq(!enabled)),
    )
    .set((
        webhook_endpoints::enabled.eq(enabled),
        webhook_endpoints::disabled_at.eq((!enabled).then_some(now)),
        webhook_endpoints::disabled_reason.eq(reason),
        webhook_endpoints::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub partner_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub redacted: Option<String>,
    pub customer_id: Option<i64>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub locked_until: Option<PrimitiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<PrimitiveDateTime>,
    pub delivered_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
}

impl Delivery {
    pub fn status_key(&self) -> String {
        format!("webhooks-status-{}", self.status)
    }
}

/// An event as queued: its JSON body, and when it names a consumer, who,
/// with the body to put in its place if their consent is withdrawn.
#[derive(Debug, Clone)]
pub struct QueuedEvent {
    pub event_id: String,
    pub kind: EventType,
    pub payload: String,
    pub redacted: Option<String>,
    pub customer_id: Option<i64>,
}

/// The partner's enabled endpoints that chose this event type.
pub fn subscribed(
    conn: &mut AnyConnection,
    partner_id: i64,
    kind: EventType,
) -> QueryResult<Vec<i64>> {
    let endpoints: Vec<(i64, String)> = webhook_endpoints::table
        .filter(webhook_endpoints::partner_id.eq(partner_id))
        .filter(webhook_endpoints::enabled.eq(true))
        .select((webhook_endpoints::id, webhook_endpoints::events))
        .load(conn)?;
    Ok(endpoints
        .into_iter()
        .filter(|(_, events)| lists(events, kind))
        .map(|(id, _)| id)
        .collect())
}

/// Queues the event for each of these endpoints of the partner. Call
/// inside the change's transaction.
pub fn enqueue(
    conn: &mut AnyConnection,
    endpoints: &[i64],
    partner_id: i64,
    ev: &QueuedEvent,
) -> QueryResult<()> {
    let now = super::now();
    for endpoint_id in endpoints {
        insert_delivery(conn, *endpoint_id, partner_id, ev, now)?;
    }
    Ok(())
}

fn insert_delivery(
    conn: &mut AnyConnection,
    endpoint_id: i64,
    partner_id: i64,
    ev: &QueuedEvent,
    now: PrimitiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(endpoint_id),
            webhook_deliveries::partner_id.eq(partner_id),
            webhook_deliveries::event_id.eq(&ev.event_id),
            webhook_deliveries::event_type.eq(ev.kind.as_str()),
            webhook_deliveries::payload.eq(&ev.payload),
            webhook_deliveries::redacted.eq(ev.redacted.as_deref()),
            webhook_deliveries::customer_id.eq(ev.customer_id),
            webhook_deliveries::status.eq(QUEUED),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
        ))
        .returning(webhook_deliveries::id)
        .get_result(conn)
}

/// Puts the event without the consumer's details in place of every
/// delivery to the partner that carries them, sent or not: what is posted
/// from now on, and what the delivery log shows. Call in the transaction
/// that withdraws the consent.
pub fn redact_customer(
    conn: &mut AnyConnection,
    partner_id: i64,
    customer_id: i64,
) -> QueryResult<usize> {
    let ids: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::customer_id.eq(customer_id))
        .filter(webhook_deliveries::partner_id.eq(partner_id))
        .select(webhook_deliveries::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(
            webhook_deliveries::table
                .filter(conn.in_ids("webhook_deliveries.id", chunk))
                .filter(webhook_deliveries::redacted.is_not_null()),
        )
        .set((
            webhook_deliveries::payload.eq(webhook_deliveries::redacted.assume_not_null()),
            webhook_deliveries::redacted.eq(None::<String>),
            webhook_deliveries::customer_id.eq(None::<i64>),
        ))
        .execute(conn)?;
        // A receiver may have echoed the body back: its answers go too.
        diesel::update(
            webhook_attempts::table.filter(conn.in_ids("webhook_attempts.delivery_id", chunk)),
        )
        .set(webhook_attempts::response_body.eq(""))
        .execute(conn)?;
    }
    Ok(n)
}

/// Puts the event without the consumer's details in place of any of
/// these deliveries whose consumer no longer shares them with the
/// partner: a withdrawal committed while the event was being written (or
/// copied by "send again") is obeyed before anything is posted or shown.
pub fn redact_lapsed(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<()> {
    let named: Vec<(i64, i64)> = webhook_deliveries::table
        .filter(conn.in_ids("webhook_deliveries.id", ids))
        .filter(webhook_deliveries::customer_id.is_not_null())
        .select((
            webhook_deliveries::partner_id,
            webhook_deliveries::customer_id.assume_not_null(),
        ))
        .load(conn)?;
    for (partner_id, customer_id) in named {
        if !crate::models::consents::stands(conn, partner_id, customer_id)? {
            redact_customer(conn, partner_id, customer_id)?;
        }
    }
    Ok(())
}

/// A delivery claimed for sending, with where it goes.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: Delivery,
    pub endpoint: Endpoint,
}

/// Claims up to `limit` due deliveries of enabled endpoints for `lease`.
/// On PostgreSQL rows are locked with `FOR UPDATE SKIP LOCKED`, so two
/// processes never take the same one; on SQLite the immediate transaction
/// serialises claimers. A delivery whose lease ran out (its process died
/// while sending) is due again.
pub fn claim(conn: &mut AnyConnection, limit: i64, lease: Duration) -> QueryResult<Vec<Claimed>> {
    write_tx(conn, |conn| {
        let now = super::now();
        let live = webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            .select(webhook_endpoints::id);
        let due = webhook_deliveries::table
            .filter(
                webhook_deliveries::status
                    .eq(QUEUED)
                    .and(webhook_deliveries::next_attempt_at.le(now))
                    .or(webhook_deliveries::status
                        .eq(SENDING)
                        .and(webhook_deliveries::locked_until.lt(now))),
            )
            .filter(webhook_deliveries::endpoint_id.eq_any(live))
            .order(webhook_deliveries::next_attempt_at.asc())
            .select(webhook_deliveries::id)
            .limit(limit);
        let ids: Vec<i64> = match conn {
            AnyConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            AnyConnection::Sqlite(_) => due.load(conn)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(
            webhook_deliveries::table.filter(conn.in_ids("webhook_deliveries.id", &ids)),
        )
        .set((
            webhook_deliveries::status.eq(SENDING),
            webhook_deliveries::locked_until.eq(now + lease),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        ))
        .execute(conn)?;
        redact_lapsed(conn, &ids)?;
        let rows: Vec<(Delivery, Endpoint)> = webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .filter(conn.in_ids("webhook_deliveries.id", &ids))
            .order(webhook_deliveries::id.asc())
            .select((Delivery::as_select(), Endpoint::as_select()))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(delivery, endpoint)| Claimed { delivery, endpoint })
            .collect())
    })
}

/// What one try of a delivery got.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub status_code: Option<i32>,
    pub response_body: String,
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl AttemptResult {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// What became of a delivery after a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Tried again after this long.
    Retry(Duration),
    /// No more tries.
    Failed,
    /// Failed, and the endpoint has not answered well since the delivery
    /// was queued: it was turned off.
    Disabled,
}

/// Records the try and what follows from it, in one transaction. A
/// delivery no longer held by this claim (its lease ran out and another
/// process took it) is left to that process: nothing is recorded twice.
pub fn finish(
    conn: &mut AnyConnection,
    claimed: &Claimed,
    attempt: &AttemptResult,
    retry_in: Option<Duration>,
) -> QueryResult<Option<Outcome>> {
    let d = &claimed.delivery;
    write_tx(conn, |conn| {
        let now = super::now();
        let (status, next, outcome) = if attempt.succeeded() {
            (DELIVERED, now, Outcome::Delivered)
        } else if let Some(wait) = retry_in {
            (QUEUED, now + wait, Outcome::Retry(wait))
        } else {
            (FAILED, now, Outcome::Failed)
        };
        let held = diesel::update(
            webhook_deliveries::table
                .find(d.id)
                .filter(webhook_deliveries::status.eq(SENDING))
                .filter(webhook_deliveries::attempts.eq(d.attempts)),
        )
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::locked_until.eq(None::<PrimitiveDateTime>),
            webhook_deliveries::last_status.eq(attempt.status_code),
            webhook_deliveries::last_error.eq(attempt.error.as_deref()),
            webhook_deliveries::last_attempt_at.eq(Some(now)),
            webhook_deliveries::delivered_at.eq((status == DELIVERED).then_some(now)),
        ))
        .execute(conn)?;
        if held == 0 {
            return Ok(None);
        }
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(d.id),
                webhook_attempts::attempted_at.eq(now),
                webhook_attempts::status_code.eq(attempt.status_code),
                webhook_attempts::response_body.eq(&attempt.response_body),
                webhook_attempts::error.eq(attempt.error.as_deref()),
                webhook_attempts::duration_ms.eq(attempt.duration_ms),
            ))
            .execute(conn)?;
        match outcome {
            Outcome::Delivered => {
                diesel::update(webhook_endpoints::table.find(d.endpoint_id))
                    .set(webhook_endpoints::last_success_at.eq(Some(now)))
                    .execute(conn)?;
                Ok(Some(Outcome::Delivered))
            }
            Outcome::Failed => {
                // Failing for as long as a delivery is tried (about a day)
                // with no good answer meanwhile: the endpoint is turned off.
                let last_ok: Option<PrimitiveDateTime> = webhook_endpoints::table
                    .find(d.endpoint_id)
                    .select(webhook_endpoints::last_success_at)
                    .first(conn)?;
                if last_ok.is_some_and(|t| t >= d.created_at) {
                    return Ok(Some(Outcome::Failed));
                }
                let off = set_enabled(conn, d.partner_id, d.endpoint_id, false, Some("failing"))?;
                Ok(Some(if off {
                    Outcome::Disabled
                } else {
                    Outcome::Failed
                }))
            }
            other => Ok(Some(other)),
        }
    })
}

/// A page of the endpoint's deliveries, newest first, over
/// `webhook_deliveries_endpoint`.
pub fn deliveries_page(
    conn: &mut AnyConnection,
    endpoint_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Delivery>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(webhook_deliveries::id.lt(id));
    }
    let rows = q
        .order(webhook_deliveries::id.desc())
        .select(Delivery::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(rows, |d| (d.id, d.id)))
}

/// The endpoint's delivery with this id (the endpoint checked to be the
/// partner's by the caller).
pub fn delivery(
    conn: &mut AnyConnection,
    endpoint_id: i64,
    id: i64,
) -> QueryResult<Option<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(Delivery::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: PrimitiveDateTime,
    pub status_code: Option<i32>,
    pub response_body: String,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// The delivery's tries, newest first (the last 50).
pub fn attempts(conn: &mut AnyConnection, delivery_id: i64) -> QueryResult<Vec<Attempt>> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order(webhook_attempts::id.desc())
        .limit(50)
        .select(Attempt::as_select())
        .load(conn)
}

/// Queues the delivery's event again, with the same `webhook-id` (a
/// receiver that handled it already can tell); returns the new delivery.
pub fn resend(conn: &mut AnyConnection, d: &Delivery) -> QueryResult<i64> {
    let kind = EventType::parse(&d.event_type).unwrap_or(EventType::RequestCreated);
    let ev = QueuedEvent {
        event_id: d.event_id.clone(),
        kind,
        payload: d.payload.clone(),
        redacted: d.redacted.clone(),
        customer_id: d.customer_id,
    };
    insert_delivery(conn, d.endpoint_id, d.partner_id, &ev, super::now())
}

/// Deletes up to `batch` deliveries queued before `retention` ago that are
/// no longer waiting (their tries go with them); returns how many.
pub fn purge(conn: &mut AnyConnection, retention: Duration, batch: i64) -> QueryResult<usize> {
    let cutoff = super::now() - retention;
    let ids: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::created_at.lt(cutoff))
        .filter(webhook_deliveries::status.eq_any([DELIVERED, FAILED]))
        .order(webhook_deliveries::created_at.asc())
        .select(webhook_deliveries::id)
        .limit(batch)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(webhook_deliveries::table.filter(conn.in_ids("webhook_deliveries.id", &ids)))
        .execute(conn)
}

/// What waits to be delivered: the metrics' figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub queued: i64,
    pub sending: i64,
    /// Failed for good (kept until the retention period ends).
    pub failed: i64,
    /// When the oldest delivery still waiting was queued.
    pub oldest_waiting: Option<PrimitiveDateTime>,
}

/// The deliveries' backlog, each figure over `webhook_deliveries_due`.
pub fn backlog(conn: &mut AnyConnection) -> QueryResult<Backlog> {
    let count = |conn: &mut AnyConnection, status: &str| -> QueryResult<i64> {
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(status))
            .count()
            .get_result(conn)
    };
    let oldest_waiting = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any([QUEUED, SENDING]))
        .select(diesel::dsl::min(webhook_deliveries::created_at))
        .first::<Option<PrimitiveDateTime>>(conn)?;
    Ok(Backlog {
        queued: count(conn, QUEUED)?,
        sending: count(conn, SENDING)?,
        failed: count(conn, FAILED)?,
        oldest_waiting,
    })
}
