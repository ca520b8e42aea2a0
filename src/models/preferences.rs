//! Email preferences: each kind of optional email, on or off per person.
//! A person without a row for a kind has its default.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::users::User;
use crate::db::AnyConnection;
use crate::schema::{email_digests, email_preferences, memberships, users};

/// Who a kind of email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Consumer,
    Partner,
    Staff,
}

/// A kind of optional email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A partner answered the consumer's request.
    RequestReplies,
    /// A partner answered the consumer's review.
    ReviewReplies,
    /// The rating question when a ticket is resolved.
    Surveys,
    /// A new request on one of the partner's listings.
    PartnerRequests,
    /// A new review of one of the partner's listings.
    PartnerReviews,
    /// A new ticket about one of the partner's listings.
    PartnerTickets,
    /// One email a day in place of the three above.
    PartnerDigest,
    /// A ticket was assigned to the agent.
    Assignment,
    /// An assigned ticket's SLA target is about to be missed.
    SlaWarning,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::RequestReplies,
        Kind::ReviewReplies,
        Kind::Surveys,
        Kind::PartnerRequests,
        Kind::PartnerReviews,
        Kind::PartnerTickets,
        Kind::PartnerDigest,
        Kind::Assignment,
        Kind::SlaWarning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RequestReplies => "request_replies",
            Kind::ReviewReplies => "review_replies",
            Kind::Surveys => "surveys",
            Kind::PartnerRequests => "partner_requests",
            Kind::PartnerReviews => "partner_reviews",
            Kind::PartnerTickets => "partner_tickets",
            Kind::PartnerDigest => "partner_digest",
            Kind::Assignment => "assignment",
            Kind::SlaWarning => "sla_warning",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn audience(self) -> Audience {
        match self {
            Kind::RequestReplies | Kind::ReviewReplies | Kind::Surveys => Audience::Consumer,
            Kind::PartnerRequests
            | Kind::PartnerReviews
            | Kind::PartnerTickets
            | Kind::PartnerDigest => Audience::Partner,
            Kind::Assignment | Kind::SlaWarning => Audience::Staff,
        }
    }

    /// On unless the person turned it off; the digest is off until chosen.
    pub fn default_on(self) -> bool {
        self != Kind::PartnerDigest
    }

    /// The partner kinds the digest gathers.
    pub fn in_digest(self) -> bool {
        matches!(
            self,
            Kind::PartnerRequests | Kind::PartnerReviews | Kind::PartnerTickets
        )
    }

    /// Its catalogue key (`notify-kind-surveys`); `-hint` says more.
    pub fn label_key(self) -> String {
        format!("notify-kind-{}", self.as_str().replace('_', "-"))
    }

    pub fn hint_key(self) -> String {
        format!("{}-hint", self.label_key())
    }
}

/// Each kind's setting for one person, defaults filled in.
pub fn of_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<(Kind, bool)>> {
    let rows: Vec<(String, bool)> = email_preferences::table
        .filter(email_preferences::user_id.eq(user_id))
        .select((email_preferences::kind, email_preferences::enabled))
        .load(conn)?;
    Ok(Kind::ALL
        .into_iter()
        .map(|k| {
            let on = rows
                .iter()
                .find(|(kind, _)| kind == k.as_str())
                .map_or(k.default_on(), |(_, on)| *on);
            (k, on)
        })
        .collect())
}

pub fn wants(conn: &mut AnyConnection, user_id: i64, kind: Kind) -> QueryResult<bool> {
    let row: Option<bool> = email_preferences::table
        .find((user_id, kind.as_str()))
        .select(email_preferences::enabled)
        .first(conn)
        .optional()?;
    Ok(row.unwrap_or(kind.default_on()))
}

pub fn set(conn: &mut AnyConnection, user_id: i64, kind: Kind, on: bool) -> QueryResult<()> {
    let now = super::now();
    let upsert = diesel::insert_into(email_preferences::table)
        .values((
            email_preferences::user_id.eq(user_id),
            email_preferences::kind.eq(kind.as_str()),
            email_preferences::enabled.eq(on),
            email_preferences::updated_at.eq(now),
        ))
        .on_conflict((email_preferences::user_id, email_preferences::kind))
        .do_update()
        .set((
            email_preferences::enabled.eq(on),
            email_preferences::updated_at.eq(now),
        ));
    match conn {
        AnyConnection::Postgres(c) => upsert.execute(c)?,
        AnyConnection::Sqlite(c) => upsert.execute(c)?,
    };
    Ok(())
}

/// The partner's members (any role) who want this kind of email one by
/// one: it is on and they do not take the daily digest instead.
pub fn members_wanting(
    conn: &mut AnyConnection,
    partner_id: i64,
    kind: Kind,
) -> QueryResult<Vec<User>> {
    let members: Vec<User> = memberships::table
        .inner_join(users::table)
        .filter(memberships::partner_id.eq(partner_id))
        .filter(users::disabled_at.is_null())
        .filter(users::email_verified_at.is_not_null())
        .order(users::id)
        .select(User::as_select())
        .load(conn)?;
    if members.is_empty() {
        return Ok(members);
    }
    // The members' own choices for this kind and the digest, at once.
    let ids: Vec<i64> = members.iter().map(|u| u.id).collect();
    let chosen: Vec<(i64, String, bool)> = email_preferences::table
        .filter(conn.in_ids("email_preferences.user_id", &ids))
        .filter(email_preferences::kind.eq_any([kind.as_str(), Kind::PartnerDigest.as_str()]))
        .select((
            email_preferences::user_id,
            email_preferences::kind,
            email_preferences::enabled,
        ))
        .load(conn)?;
    let setting = |user: i64, k: Kind| {
        chosen
            .iter()
            .find(|(u, kind, _)| *u == user && kind == k.as_str())
            .map_or(k.default_on(), |(_, _, on)| *on)
    };
    Ok(members
        .into_iter()
        .filter(|u| {
            setting(u.id, kind) && !(kind.in_digest() && setting(u.id, Kind::PartnerDigest))
        })
        .collect())
}

/// A page of the people who take the daily digest, after `after_id`.
pub fn digest_takers(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<(User, Option<PrimitiveDateTime>)>> {
    email_preferences::table
        .inner_join(users::table)
        .left_join(email_digests::table.on(email_digests::user_id.eq(email_preferences::user_id)))
        .filter(email_preferences::kind.eq(Kind::PartnerDigest.as_str()))
        .filter(email_preferences::enabled.eq(true))
        .filter(email_preferences::user_id.gt(after_id))
        .filter(users::disabled_at.is_null())
        .filter(users::email_verified_at.is_not_null())
        .order(email_preferences::user_id)
        .limit(limit)
        .select((User::as_select(), email_digests::sent_at.nullable()))
        .load(conn)
}

pub fn digest_sent(
    conn: &mut AnyConnection,
    user_id: i64,
    at: PrimitiveDateTime,
) -> QueryResult<()> {
    let upsert = diesel::insert_into(email_digests::table)
        .values((
            email_digests::user_id.eq(user_id),
            email_digests::sent_at.eq(at),
        ))
        .on_conflict(email_digests::user_id)
        .do_update()
        .set(email_digests::sent_at.eq(at));
    match conn {
        AnyConnection::Postgres(c) => upsert.execute(c)?,
        AnyConnection::Sqlite(c) => upsert.execute(c)?,
    };
    Ok(())
}
