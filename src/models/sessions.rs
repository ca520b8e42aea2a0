//! Server-side sessions. The cookie carries a random key; the table keeps
//! only its SHA-256, so a copy of the database cannot sign anybody in.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::{sessions, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub public_id: String,
    pub user_id: Option<i64>,
    pub state: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub public_id: &'a str,
    pub user_id: Option<i64>,
    pub state: &'a str,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

/// A live session by key hash: not idle past its expiry, not older than
/// the absolute lifetime.
pub fn load(
    conn: &mut AnyConnection,
    id: &str,
    absolute: Duration,
) -> QueryResult<Option<SessionRow>> {
    let now = super::now();
    sessions::table
        .find(id)
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(now - absolute))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// `load`, with the signed-in account in the same read.
pub fn load_with_user(
    conn: &mut AnyConnection,
    id: &str,
    absolute: Duration,
) -> QueryResult<Option<(SessionRow, Option<super::users::User>)>> {
    let now = super::now();
    sessions::table
        .left_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(now - absolute))
        .select((
            SessionRow::as_select(),
            Option::<super::users::User>::as_select(),
        ))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, new: &NewSession) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub struct StateUpdate<'a> {
    pub state: &'a str,
    pub user_id: Option<i64>,
    pub public_id: &'a str,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub expires_at: PrimitiveDateTime,
}

pub fn update_state(conn: &mut AnyConnection, id: &str, u: &StateUpdate) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::state.eq(u.state),
            sessions::user_id.eq(u.user_id),
            sessions::public_id.eq(u.public_id),
            sessions::user_agent.eq(u.user_agent),
            sessions::ip.eq(u.ip),
            sessions::expires_at.eq(u.expires_at),
            sessions::last_seen_at.eq(super::now()),
        ))
        .execute(conn)
}

/// Pushes the idle expiry forward, at most once a minute per session.
pub fn touch(conn: &mut AnyConnection, id: &str, expires_at: PrimitiveDateTime) -> QueryResult<()> {
    let now = super::now();
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::last_seen_at.lt(now - Duration::minutes(1))),
    )
    .set((
        sessions::expires_at.eq(expires_at),
        sessions::last_seen_at.eq(now),
    ))
    .execute(conn)
    .map(|_| ())
}

pub fn delete(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// The person's live sessions, newest activity first.
pub fn for_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(super::now()))
        .order(sessions::last_seen_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

/// Ends every session of the person except the one with `keep_public_id`.
pub fn end_all_but(
    conn: &mut AnyConnection,
    user_id: i64,
    keep_public_id: Option<&str>,
) -> QueryResult<usize> {
    match keep_public_id {
        Some(keep) => diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::public_id.ne(keep)),
        )
        .execute(conn),
        None => diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn),
    }
}

pub fn end_one(conn: &mut AnyConnection, user_id: i64, public_id: &str) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::public_id.eq(public_id)),
    )
    .execute(conn)
}

pub fn purge_expired(conn: &mut AnyConnection, absolute: Duration) -> QueryResult<usize> {
    let now = super::now();
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::created_at.le(now - absolute)),
        ),
    )
    .execute(conn)
}

/// Sessions not yet past their idle expiry, counted over
/// `sessions_expires` (those past the absolute lifetime but still within
/// their idle time count too, until the clean-up pass removes them).
pub fn live_count(conn: &mut AnyConnection) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::expires_at.gt(super::now()))
        .count()
        .get_result(conn)
}
