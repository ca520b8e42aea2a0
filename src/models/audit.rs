//! Audit events: who did what to whom, from where, and when.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::audit_events;
use crate::web::paging::{Page, PageRequest};

pub const LOGIN: &str = "login";
pub const LOGIN_FAILED: &str = "login_failed";
pub const LOGOUT: &str = "logout";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const PASSWORD_RESET: &str = "password_reset";
pub const EMAIL_VERIFIED: &str = "email_verified";
pub const SIGNUP: &str = "signup";
pub const SESSIONS_REVOKED: &str = "sessions_revoked";

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewEvent<'a> {
    actor_id: Option<i64>,
    action: &'a str,
    subject: &'a str,
    ip: Option<&'a str>,
    created_at: PrimitiveDateTime,
}

/// Whether the account (by its address) signed in more than once: the
/// sign-in being finished is recorded already, so a first one is alone.
pub fn signed_in_before(conn: &mut AnyConnection, email: &str) -> QueryResult<bool> {
    let ids: Vec<i64> = audit_events::table
        .filter(audit_events::subject.eq(email))
        .filter(audit_events::action.eq(LOGIN))
        .select(audit_events::id)
        .limit(2)
        .load(conn)?;
    Ok(ids.len() > 1)
}

pub fn record(
    conn: &mut AnyConnection,
    actor_id: Option<i64>,
    action: &str,
    subject: &str,
    ip: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewEvent {
            actor_id,
            action,
            subject,
            ip,
            created_at: super::now(),
        })
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Queryable)]
pub struct Event {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub ip: Option<String>,
    pub created_at: PrimitiveDateTime,
}

pub fn for_subject(conn: &mut AnyConnection, subject: &str) -> QueryResult<Vec<Event>> {
    audit_events::table
        .filter(audit_events::subject.eq(subject))
        .order(audit_events::id.asc())
        .load(conn)
}

/// One page of events, newest first (optionally those whose action or
/// subject contains `q`), with the actor's email.
pub fn recent_page(
    conn: &mut AnyConnection,
    q: &str,
    req: &PageRequest,
) -> QueryResult<Page<(Event, Option<String>)>> {
    use crate::schema::users;
    let mut query = audit_events::table
        .left_join(users::table.on(users::id.nullable().eq(audit_events::actor_id)))
        .into_boxed();
    let q = q.trim();
    if !q.is_empty() {
        let pattern = format!("%{}%", crate::db::like_escape(q));
        query = query.filter(
            audit_events::action
                .like(pattern.clone())
                .escape('\\')
                .or(audit_events::subject.like(pattern).escape('\\')),
        );
    }
    if let Some((_, id)) = req.after() {
        query = query.filter(audit_events::id.lt(id));
    }
    let list = query
        .order(audit_events::id.desc())
        .select((
            (
                audit_events::id,
                audit_events::actor_id,
                audit_events::action,
                audit_events::subject,
                audit_events::ip,
                audit_events::created_at,
            ),
            users::email.nullable(),
        ))
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |(e, _)| (e.id, e.id)))
}
