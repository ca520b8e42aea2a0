//! A partner's API tokens: made by its owners and admins, each with the
//! scopes it may use and an optional expiry. The secret is shown once; only
//! its SHA-256 is kept, with its first characters to tell tokens apart.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::{api_idempotency, api_tokens, memberships, partners, users};
use crate::web::paging::{Page, PageRequest};

/// What every secret starts with, so that secret scanners can find one
/// that leaked (a commit, a log, a paste).
pub const SECRET_PREFIX: &str = "agora_pt_";

/// Characters of the secret kept in the clear to name it in lists.
const SHOWN: usize = SECRET_PREFIX.len() + 6;

/// Tokens shown per page of the developers page.
pub const PAGE_SIZE: usize = 20;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    ListingsRead,
    ListingsWrite,
    RequestsRead,
    CustomersRead,
    ReviewsRead,
    ReviewsWrite,
    TicketsRead,
    TicketsWrite,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::ListingsRead,
        Scope::ListingsWrite,
        Scope::RequestsRead,
        Scope::CustomersRead,
        Scope::ReviewsRead,
        Scope::ReviewsWrite,
        Scope::TicketsRead,
        Scope::TicketsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ListingsRead => "listings:read",
            Scope::ListingsWrite => "listings:write",
            Scope::RequestsRead => "requests:read",
            Scope::CustomersRead => "customers:read",
            Scope::ReviewsRead => "reviews:read",
            Scope::ReviewsWrite => "reviews:write",
            Scope::TicketsRead => "tickets:read",
            Scope::TicketsWrite => "tickets:write",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The catalogue key that says what the scope allows.
    pub fn label_key(self) -> &'static str {
        match self {
            Scope::ListingsRead => "scope-listings-read",
            Scope::ListingsWrite => "scope-listings-write",
            Scope::RequestsRead => "scope-requests-read",
            Scope::CustomersRead => "scope-customers-read",
            Scope::ReviewsRead => "scope-reviews-read",
            Scope::ReviewsWrite => "scope-reviews-write",
            Scope::TicketsRead => "scope-tickets-read",
            Scope::TicketsWrite => "scope-tickets-write",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub partner_id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_by: Option<i64>,
    pub created_at: PrimitiveDateTime,
    pub expires_at: Option<PrimitiveDateTime>,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
}

impl ApiToken {
    pub fn scope_list(&self) -> Vec<Scope> {
        self.scopes.split(' ').filter_map(Scope::parse).collect()
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.split(' ').any(|s| s == scope.as_str())
    }

    pub fn expired(&self, now: PrimitiveDateTime) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }

    /// Neither revoked nor expired.
    pub fn live(&self, now: PrimitiveDateTime) -> bool {
        self.revoked_at.is_none() && !self.expired(now)
    }
}

/// A new secret: the prefix and 32 random bytes, URL-safe.
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", super::tokens::random_token())
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
struct NewToken<'a> {
    partner_id: i64,
    name: &'a str,
    prefix: &'a str,
    token_hash: &'a str,
    scopes: &'a str,
    created_by: Option<i64>,
    created_at: PrimitiveDateTime,
    expires_at: Option<PrimitiveDateTime>,
}

/// Makes a token for the partner; returns its id and the secret, which is
/// not kept and cannot be shown again.
pub fn create(
    conn: &mut AnyConnection,
    partner_id: i64,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<PrimitiveDateTime>,
    by: i64,
) -> QueryResult<(i64, String)> {
    let secret = new_secret();
    let list = scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let id = diesel::insert_into(api_tokens::table)
        .values(&NewToken {
            partner_id,
            name,
            prefix: &secret[..SHOWN],
            token_hash: &super::tokens::hash(&secret),
            scopes: &list,
            created_by: Some(by),
            created_at: super::now(),
            expires_at,
        })
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((id, secret))
}

/// A page of the partner's tokens, newest first, with who made each.
pub fn page(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<(ApiToken, Option<String>)>> {
    let mut q = api_tokens::table
        .left_join(users::table.on(api_tokens::created_by.eq(users::id.nullable())))
        .filter(api_tokens::partner_id.eq(partner_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(api_tokens::id.lt(id));
    }
    let rows = q
        .order(api_tokens::id.desc())
        .select((ApiToken::as_select(), users::display_name.nullable()))
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(rows, |(t, _)| (t.id, t.id)))
}

/// The partner's token with this id.
pub fn find(conn: &mut AnyConnection, partner_id: i64, id: i64) -> QueryResult<Option<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::partner_id.eq(partner_id))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()
}

/// Revokes the partner's token; `false` when there is no such live token.
pub fn revoke(conn: &mut AnyConnection, partner_id: i64, id: i64, by: i64) -> QueryResult<bool> {
    let n = diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::partner_id.eq(partner_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set((
        api_tokens::revoked_at.eq(Some(super::now())),
        api_tokens::revoked_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The live token a secret names, with its partner's slug, when the
/// partner is approved and the token's maker still manages it (an owner or
/// admin removed, made a member or disabled takes their tokens' power with
/// them).
/// A secret without the prefix is never looked up.
pub fn authenticate(
    conn: &mut AnyConnection,
    secret: &str,
) -> QueryResult<Option<(ApiToken, String)>> {
    if !secret.starts_with(SECRET_PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let now = super::now();
    let found: Option<(ApiToken, String)> = api_tokens::table
        .inner_join(partners::table)
        .filter(api_tokens::token_hash.eq(super::tokens::hash(secret)))
        .filter(partners::status.eq(super::partners::APPROVED))
        .filter(diesel::dsl::exists(
            memberships::table
                .filter(memberships::partner_id.eq(api_tokens::partner_id))
                .filter(memberships::user_id.nullable().eq(api_tokens::created_by))
                .filter(memberships::role.eq_any([
                    super::partners::Role::Owner.as_str(),
                    super::partners::Role::Admin.as_str(),
                ])),
        ))
        .filter(diesel::dsl::exists(
            users::table
                .filter(users::id.nullable().eq(api_tokens::created_by))
                .filter(users::disabled_at.is_null()),
        ))
        .select((ApiToken::as_select(), partners::slug))
        .first(conn)
        .optional()?;
    Ok(found.filter(|(t, _)| t.live(now)))
}

/// Notes that the token was used, at most once a minute (reading through
/// the API costs no write otherwise).
pub fn touch(conn: &mut AnyConnection, token: &ApiToken) -> QueryResult<()> {
    let now = super::now();
    if token
        .last_used_at
        .is_some_and(|t| t > now - Duration::minutes(1))
    {
        return Ok(());
    }
    diesel::update(api_tokens::table.find(token.id))
        .set(api_tokens::last_used_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// How long a claimed key may stay unanswered before its outcome is taken
/// for unknown.
const CLAIM_LEASE: Duration = Duration::minutes(5);

/// Where an idempotency key stands when a POST arrives with it.
pub enum Idempotency {
    /// Not seen before: now held for this request.
    New,
    /// Seen with another body: refused.
    Mismatch,
    /// Seen and still being handled.
    InProgress,
    /// Seen long ago and never answered: whether it was done is unknown.
    Unknown,
    /// Seen and answered: (status, location, body) to send again.
    Done(i32, Option<String>, String),
}

/// Claims `key` for this token and request, or says how it was used. In
/// the caller's write transaction, so that of two requests at once only
/// one claims it.
pub fn claim_key(
    conn: &mut AnyConnection,
    token_id: i64,
    key: &str,
    request_hash: &str,
) -> QueryResult<Idempotency> {
    type Kept = (String, Option<i32>, Option<String>, Option<String>);
    let found: Option<Kept> = api_idempotency::table
        .find((token_id, key))
        .select((
            api_idempotency::request_hash,
            api_idempotency::status,
            api_idempotency::location,
            api_idempotency::body,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        Some((hash, _, _, _)) if hash != request_hash => Idempotency::Mismatch,
        Some((_, Some(status), location, body)) => {
            Idempotency::Done(status, location, body.unwrap_or_default())
        }
        Some(_) => {
            // A claim older than any request can run was left unfinished
            // (the process stopped mid-request, or its answer could not be
            // kept): the work may or may not have been done, so it is never
            // run again under this key.
            let stale: i64 = api_idempotency::table
                .find((token_id, key))
                .filter(api_idempotency::created_at.lt(super::now() - CLAIM_LEASE))
                .count()
                .get_result(conn)?;
            if stale == 1 {
                Idempotency::Unknown
            } else {
                Idempotency::InProgress
            }
        }
        None => {
            diesel::insert_into(api_idempotency::table)
                .values((
                    api_idempotency::token_id.eq(token_id),
                    api_idempotency::idem_key.eq(key),
                    api_idempotency::request_hash.eq(request_hash),
                    api_idempotency::created_at.eq(super::now()),
                ))
                .execute(conn)?;
            Idempotency::New
        }
    })
}

/// Keeps the answer to a claimed key for its retries.
pub fn finish_key(
    conn: &mut AnyConnection,
    token_id: i64,
    key: &str,
    status: i32,
    location: Option<&str>,
    body: &str,
) -> QueryResult<()> {
    diesel::update(api_idempotency::table.find((token_id, key)))
        .set((
            api_idempotency::status.eq(Some(status)),
            api_idempotency::location.eq(location),
            api_idempotency::body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Lets a key go again (the request failed before it changed anything).
pub fn release_key(conn: &mut AnyConnection, token_id: i64, key: &str) -> QueryResult<()> {
    diesel::delete(api_idempotency::table.find((token_id, key))).execute(conn)?;
    Ok(())
}

/// Forgets keys older than a day.
pub fn purge_keys(conn: &mut AnyConnection) -> QueryResult<usize> {
    diesel::delete(
        api_idempotency::table
            .filter(api_idempotency::created_at.lt(super::now() - Duration::days(1))),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognisable_and_distinct() {
        let a = new_secret();
        let b = new_secret();
        assert!(a.starts_with("agora_pt_"));
        assert!(a.len() > SHOWN + 30);
        assert_ne!(a, b);
    }

    #[test]
    fn scopes_read_back() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse("admin"), None);
    }
}
