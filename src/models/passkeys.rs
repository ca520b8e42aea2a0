//! Passkeys: each person's WebAuthn credentials, and the ceremonies under
//! way (what the server asked a browser, kept until it answers once).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{passkeys, webauthn_challenges};

/// Passkeys one person may keep.
pub const MAX_PER_USER: i64 = 10;
/// How long a browser has to answer.
pub const CHALLENGE_MINUTES: i64 = 5;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = passkeys)]
pub struct PasskeyRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub credential_id: String,
    pub user_handle: String,
    /// The credential as the WebAuthn library keeps it (JSON).
    pub passkey: String,
    pub created_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
}

/// All of the person's passkeys (at most `MAX_PER_USER`, checked as each
/// is added, so every one that can sign in is listed).
pub fn of_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<PasskeyRow>> {
    passkeys::table
        .filter(passkeys::user_id.eq(user_id))
        .order(passkeys::id)
        .select(PasskeyRow::as_select())
        .load(conn)
}

pub fn count_of(conn: &mut AnyConnection, user_id: i64) -> QueryResult<i64> {
    passkeys::table
        .filter(passkeys::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub credential_id: &'a str,
    pub user_handle: &'a str,
    pub passkey: &'a str,
}

pub fn insert(conn: &mut AnyConnection, new: &NewPasskey) -> QueryResult<()> {
    diesel::insert_into(passkeys::table)
        .values((
            passkeys::user_id.eq(new.user_id),
            passkeys::name.eq(new.name),
            passkeys::credential_id.eq(new.credential_id),
            passkeys::user_handle.eq(new.user_handle),
            passkeys::passkey.eq(new.passkey),
            passkeys::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn by_credential(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> QueryResult<Option<PasskeyRow>> {
    passkeys::table
        .filter(passkeys::credential_id.eq(credential_id))
        .select(PasskeyRow::as_select())
        .first(conn)
        .optional()
}

/// After a sign-in: the credential as it is now (its counter) and when.
pub fn used(conn: &mut AnyConnection, id: i64, passkey: &str) -> QueryResult<()> {
    diesel::update(passkeys::table.find(id))
        .set((
            passkeys::passkey.eq(passkey),
            passkeys::last_used_at.eq(Some(super::now())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes one of the person's passkeys; 0 when it is not theirs.
pub fn delete(conn: &mut AnyConnection, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        passkeys::table
            .filter(passkeys::id.eq(id))
            .filter(passkeys::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// What a ceremony is for.
pub const REGISTER: &str = "register";
pub const SIGN_IN: &str = "sign_in";
pub const SECOND_STEP: &str = "second_step";

/// Keeps what the server asked; returns the ceremony's id.
pub fn challenge_put(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    purpose: &str,
    state: &str,
) -> QueryResult<String> {
    let id = crate::auth::random_id(24);
    diesel::insert_into(webauthn_challenges::table)
        .values((
            webauthn_challenges::id.eq(&id),
            webauthn_challenges::user_id.eq(user_id),
            webauthn_challenges::purpose.eq(purpose),
            webauthn_challenges::state.eq(state),
            webauthn_challenges::expires_at
                .eq(super::now() + time::Duration::minutes(CHALLENGE_MINUTES)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Takes a ceremony once: it is gone afterwards, answered or not. `None`
/// when it does not exist, expired, or was for another purpose or person.
pub fn challenge_take(
    conn: &mut AnyConnection,
    id: &str,
    user_id: Option<i64>,
    purpose: &str,
) -> QueryResult<Option<String>> {
    let row: Option<(Option<i64>, String, String, PrimitiveDateTime)> = webauthn_challenges::table
        .find(id)
        .select((
            webauthn_challenges::user_id,
            webauthn_challenges::purpose,
            webauthn_challenges::state,
            webauthn_challenges::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((owner, kind, state, expires)) = row else {
        return Ok(None);
    };
    let taken = diesel::delete(webauthn_challenges::table.find(id)).execute(conn)?;
    Ok(
        (taken == 1 && owner == user_id && kind == purpose && expires > super::now())
            .then_some(state),
    )
}

/// Ceremonies nobody answered.
pub fn purge(conn: &mut AnyConnection) -> QueryResult<usize> {
    diesel::delete(
        webauthn_challenges::table.filter(webauthn_challenges::expires_at.le(super::now())),
    )
    .execute(conn)
}
