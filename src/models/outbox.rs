//! The email outbox. A message is inserted in the same transaction as the
//! change that causes it; the mail worker claims, sends and marks it.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::{AnyConnection, write_tx};
use crate::schema::outgoing_email;
use crate::web::paging::{Page, PageRequest};

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// A message ready to be queued.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    /// For optional emails: the one-click unsubscribe address.
    pub unsubscribe: Option<String>,
    /// Where replies go (a ticket's signed reply address).
    pub reply_to: Option<String>,
    /// Carries a live secret (a verification, reset or invitation link):
    /// its bodies are removed from the outbox once it is sent.
    pub sensitive: bool,
}

impl NewEmail {
    /// The same message, marked as carrying a live secret.
    pub fn sensitive(mut self) -> NewEmail {
        self.sensitive = true;
        self
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outgoing_email)]
pub struct OutgoingEmail {
    pub id: i64,
    pub message_id: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub in_reply_to: Option<String>,
    pub references_hdr: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub locked_until: Option<PrimitiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub sent_at: Option<PrimitiveDateTime>,
    pub unsubscribe_url: Option<String>,
    pub sensitive: bool,
    pub redacted_at: Option<PrimitiveDateTime>,
    pub reply_to: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = outgoing_email)]
struct Row<'a> {
    message_id: &'a str,
    to_addr: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    in_reply_to: Option<&'a str>,
    references_hdr: Option<&'a str>,
    status: &'a str,
    attempts: i32,
    next_attempt_at: PrimitiveDateTime,
    created_at: PrimitiveDateTime,
    unsubscribe_url: Option<&'a str>,
    sensitive: bool,
    reply_to: Option<&'a str>,
}

pub fn new_message_id(domain: &str) -> String {
    format!("<{}@{}>", uuid::Uuid::new_v4().simple(), domain)
}

/// Queues a message; returns its Message-ID. Call inside the transaction
/// of the change that causes it.
pub fn enqueue(conn: &mut AnyConnection, domain: &str, email: &NewEmail) -> QueryResult<String> {
    enqueue_with_id(conn, &new_message_id(domain), email)
}

pub fn enqueue_with_id(
    conn: &mut AnyConnection,
    message_id: &str,
    email: &NewEmail,
) -> QueryResult<String> {
    let now = super::now();
    diesel::insert_into(outgoing_email::table)
        .values(Row {
            message_id,
            to_addr: &email.to,
            subject: &email.subject,
            body_text: &email.text,
            body_html: &email.html,
            in_reply_to: email.in_reply_to.as_deref(),
            references_hdr: email.references.as_deref(),
            status: QUEUED,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            unsubscribe_url: email.unsubscribe.as_deref(),
            sensitive: email.sensitive,
            reply_to: email.reply_to.as_deref(),
        })
        .execute(conn)?;
    Ok(message_id.to_string())
}

/// Claims up to `limit` due messages for `lease`. On PostgreSQL rows are
/// locked with `FOR UPDATE SKIP LOCKED`, so two processes never take the
/// same one; on SQLite the immediate transaction serialises claimers.
pub fn claim(
    conn: &mut AnyConnection,
    limit: i64,
    lease: Duration,
) -> QueryResult<Vec<OutgoingEmail>> {
    write_tx(conn, |conn| {
        let now = super::now();
        let due = outgoing_email::table
            .filter(
                outgoing_email::status
                    .eq(QUEUED)
                    .and(outgoing_email::next_attempt_at.le(now))
                    .or(outgoing_email::status
                        .eq(SENDING)
                        .and(outgoing_email::locked_until.lt(now))),
            )
            .order(outgoing_email::id.asc())
            .select(outgoing_email::id)
            .limit(limit);
        let ids: Vec<i64> = match conn {
            AnyConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            AnyConnection::Sqlite(_) => due.load(conn)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outgoing_email::table.filter(outgoing_email::id.eq_any(&ids)))
            .set((
                outgoing_email::status.eq(SENDING),
                outgoing_email::locked_until.eq(now + lease),
                outgoing_email::attempts.eq(outgoing_email::attempts + 1),
            ))
            .execute(conn)?;
        outgoing_email::table
            .filter(outgoing_email::id.eq_any(&ids))
            .order(outgoing_email::id.asc())
            .select(OutgoingEmail::as_select())
            .load(conn)
    })
}

/// Marks a message sent. A sensitive one loses its bodies in the same
/// transaction: once delivered, the outbox keeps no link that signs anyone in.
pub fn mark_sent(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    write_tx(conn, |conn| {
        let now = super::now();
        let target = outgoing_email::table
            .find(id)
            .filter(outgoing_email::status.eq(SENDING));
        diesel::update(target)
            .set((
                outgoing_email::status.eq(SENT),
                outgoing_email::sent_at.eq(now),
                outgoing_email::locked_until.eq(None::<PrimitiveDateTime>),
                outgoing_email::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        redact_sensitive(conn, id, now)
    })
}

/// Deletes up to `batch` sent messages older than `retention`, oldest
/// first, over `outgoing_email_status_sent`, and as many failed ones
/// created before then; returns how many went.
pub fn purge_sent(conn: &mut AnyConnection, retention: Duration, batch: i64) -> QueryResult<usize> {
    let cutoff = super::now() - retention;
    let old = outgoing_email::table
        .filter(outgoing_email::status.eq(SENT))
        .filter(outgoing_email::sent_at.lt(cutoff))
        .order(outgoing_email::sent_at.asc())
        .select(outgoing_email::id)
        .limit(batch);
    let mut ids: Vec<i64> = old.load(conn)?;
    // Messages that failed for good go after the same time, by age.
    ids.extend(
        outgoing_email::table
            .filter(outgoing_email::status.eq(FAILED))
            .filter(outgoing_email::created_at.lt(cutoff))
            .order(outgoing_email::id.asc())
            .select(outgoing_email::id)
            .limit(batch)
            .load::<i64>(conn)?,
    );
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(outgoing_email::table.filter(outgoing_email::id.eq_any(&ids))).execute(conn)
}

/// Records a failed attempt: queued again after `retry_in`, or `failed`
/// for good when `retry_in` is `None`.
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    retry_in: Option<Duration>,
) -> QueryResult<()> {
    let now = super::now();
    let (status, next) = match retry_in {
        Some(d) => (QUEUED, now + d),
        None => (FAILED, now),
    };
    diesel::update(outgoing_email::table.find(id))
        .set((
            outgoing_email::status.eq(status),
            outgoing_email::next_attempt_at.eq(next),
            outgoing_email::locked_until.eq(None::<PrimitiveDateTime>),
            outgoing_email::last_error.eq(Some(error)),
        ))
        .execute(conn)
        .map(|_| ())
}

fn redact_sensitive(conn: &mut AnyConnection, id: i64, now: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(
        outgoing_email::table
            .find(id)
            .filter(outgoing_email::sensitive.eq(true))
            .filter(outgoing_email::redacted_at.is_null()),
    )
    .set((
        outgoing_email::body_text.eq(""),
        outgoing_email::body_html.eq(""),
        outgoing_email::redacted_at.eq(now),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Queues a failed message again (an admin's retry). A failed message
/// that carries a link keeps its body for this; the link's token expires
/// on its own, and the message goes with the retention period.
pub fn retry_failed(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::update(
        outgoing_email::table
            .find(id)
            .filter(outgoing_email::status.eq(FAILED)),
    )
    .set((
        outgoing_email::status.eq(QUEUED),
        outgoing_email::attempts.eq(0),
        outgoing_email::next_attempt_at.eq(super::now()),
    ))
    .execute(conn)
}

pub fn by_status(conn: &mut AnyConnection, status: &str) -> QueryResult<Vec<OutgoingEmail>> {
    outgoing_email::table
        .filter(outgoing_email::status.eq(status))
        .order(outgoing_email::id.desc())
        .limit(200)
        .select(OutgoingEmail::as_select())
        .load(conn)
}

/// One page of the messages with this status, newest first, over
/// `outgoing_email_status_id`.
pub fn page_by_status(
    conn: &mut AnyConnection,
    status: &str,
    req: &PageRequest,
) -> QueryResult<Page<OutgoingEmail>> {
    let mut q = outgoing_email::table
        .filter(outgoing_email::status.eq(status))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(outgoing_email::id.lt(id));
    }
    let list = q
        .order(outgoing_email::id.desc())
        .select(OutgoingEmail::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |m| (m.id, m.id)))
}

pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<OutgoingEmail>> {
    outgoing_email::table
        .order(outgoing_email::id.asc())
        .select(OutgoingEmail::as_select())
        .load(conn)
}

/// What is waiting in the outbox: the metrics' figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub queued: i64,
    /// Claimed by a worker and not yet marked sent or failed.
    pub sending: i64,
    pub failed: i64,
    /// When the oldest message not yet sent (queued or being sent) was
    /// queued.
    pub oldest_unsent: Option<PrimitiveDateTime>,
}

/// The outbox's backlog, each figure over `outgoing_email_status_id`: a
/// count of one status's index entries, and the first entry of each
/// unsent status (ids grow with `created_at`). Sent messages are not
/// counted; there are many of them and they wait for nothing.
pub fn backlog(conn: &mut AnyConnection) -> QueryResult<Backlog> {
    let count = |conn: &mut AnyConnection, status: &str| -> QueryResult<i64> {
        outgoing_email::table
            .filter(outgoing_email::status.eq(status))
            .count()
            .get_result(conn)
    };
    let oldest = |conn: &mut AnyConnection, status: &str| {
        outgoing_email::table
            .filter(outgoing_email::status.eq(status))
            .order(outgoing_email::id.asc())
            .select(outgoing_email::created_at)
            .first::<PrimitiveDateTime>(conn)
            .optional()
    };
    let oldest_unsent = [oldest(conn, QUEUED)?, oldest(conn, SENDING)?]
        .into_iter()
        .flatten()
        .min();
    Ok(Backlog {
        queued: count(conn, QUEUED)?,
        sending: count(conn, SENDING)?,
        failed: count(conn, FAILED)?,
        oldest_unsent,
    })
}
