//! Single-use tokens sent by email (verification, password reset). Only a
//! SHA-256 of the token is stored.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::email_tokens;

pub const VERIFY: &str = "verify";
pub const RESET: &str = "reset";

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

pub fn hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

#[derive(Insertable)]
#[diesel(table_name = email_tokens)]
struct NewToken<'a> {
    user_id: i64,
    purpose: &'a str,
    token_hash: &'a str,
    expires_at: PrimitiveDateTime,
    created_at: PrimitiveDateTime,
}

/// Makes a token for `purpose`, valid for `ttl`; earlier unused ones of the
/// same purpose stop working.
pub fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: &str,
    ttl: Duration,
) -> QueryResult<String> {
    let now = super::now();
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)?;
    let token = random_token();
    diesel::insert_into(email_tokens::table)
        .values(NewToken {
            user_id,
            purpose,
            token_hash: &hash(&token),
            expires_at: now + ttl,
            created_at: now,
        })
        .execute(conn)?;
    Ok(token)
}

/// The user a valid, unused token belongs to, without using it up.
pub fn peek(conn: &mut AnyConnection, token: &str, purpose: &str) -> QueryResult<Option<i64>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(hash(token)))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(super::now()))
        .select(email_tokens::user_id)
        .first(conn)
        .optional()
}

/// Uses a token up; returns its user when it was valid. Run inside a write
/// transaction so two uses cannot both succeed.
pub fn consume(conn: &mut AnyConnection, token: &str, purpose: &str) -> QueryResult<Option<i64>> {
    let Some(user_id) = peek(conn, token, purpose)? else {
        return Ok(None);
    };
    let changed = diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(hash(token)))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(super::now()))
    .execute(conn)?;
    Ok((changed == 1).then_some(user_id))
}
