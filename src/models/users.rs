use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::users;
use crate::web::paging::{self, Page, PageRequest};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub locale: Option<String>,
    pub email_verified_at: Option<PrimitiveDateTime>,
    pub is_staff: bool,
    pub is_admin: bool,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// Their time zone (an IANA name); `None`: the platform's.
    pub time_zone: Option<String>,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    /// The language their email is written in: the one they chose, or the
    /// platform's.
    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::of_locale(self.locale.as_deref())
    }

    /// The zone every time they read is shown in: the one they chose, or
    /// `platform`'s.
    pub fn zone(&self, platform: &crate::domain::zone::Zone) -> crate::domain::zone::Zone {
        self.time_zone
            .as_deref()
            .and_then(crate::domain::zone::Zone::named)
            .unwrap_or_else(|| platform.clone())
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: Option<&'a str>,
    pub email_verified_at: Option<PrimitiveDateTime>,
    pub is_staff: bool,
    pub is_admin: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> QueryResult<User> {
    let id: i64 = diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result(conn)?;
    users::table.find(id).select(User::as_select()).first(conn)
}

pub fn set_password(conn: &mut AnyConnection, id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn mark_verified(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(super::now()))
    .execute(conn)
    .map(|_| ())
}

pub fn set_time_zone(conn: &mut AnyConnection, id: i64, zone: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::time_zone.eq(Some(zone)))
        .execute(conn)
        .map(|_| ())
}

pub fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    display_name: &str,
    locale: Option<&str>,
    time_zone: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::locale.eq(locale),
            users::time_zone.eq(time_zone),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_locale(conn: &mut AnyConnection, id: i64, locale: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::locale.eq(locale))
        .execute(conn)
        .map(|_| ())
}

pub fn set_admin(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::is_admin.eq(true), users::is_staff.eq(true)))
        .execute(conn)
        .map(|_| ())
}

/// One page of the accounts whose email or name contains `q` (any case),
/// newest first, over `users_created`.
pub fn search_page(
    conn: &mut AnyConnection,
    q: &str,
    req: &PageRequest,
) -> QueryResult<Page<User>> {
    let q = q.trim().to_lowercase();
    let mut query = users::table.into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", crate::db::like_escape(&q));
        query = query.filter(
            users::email
                .like(pattern.clone())
                .escape('\\')
                .or(
                    diesel::dsl::sql::<diesel::sql_types::Bool>("lower(display_name) LIKE ")
                        .bind::<diesel::sql_types::Text, _>(pattern)
                        .sql(" ESCAPE '\\'"),
                ),
        );
    }
    if let Some((k, id)) = req.after() {
        let at = paging::key_time(k);
        query = query.filter(
            users::created_at
                .le(at)
                .and(users::created_at.lt(at).or(users::id.lt(id))),
        );
    }
    let list = query
        .order((users::created_at.desc(), users::id.desc()))
        .select(User::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |u| (paging::time_key(u.created_at), u.id)))
}

pub fn set_staff(conn: &mut AnyConnection, id: i64, staff: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::is_staff.eq(staff))
        .execute(conn)
}

pub fn set_disabled(conn: &mut AnyConnection, id: i64, disabled: bool) -> QueryResult<usize> {
    let at = disabled.then(super::now);
    diesel::update(users::table.find(id))
        .set(users::disabled_at.eq(at))
        .execute(conn)
}

/// Deletes the account; its sessions, requests, reviews, tickets, notes
/// and tags go with it (foreign keys cascade).
pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}
