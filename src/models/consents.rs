//! A consumer's consent to share their name and email address with one
//! partner. It is about the partner as a whole, never one listing: one row
//! per consumer and partner, given when they ask for a service (or later),
//! withdrawn at any time. While it stands the partner sees the consumer's
//! name, email address and what they wrote to it (request messages, ticket
//! authorship, review authorship); otherwise only that "a consumer" did
//! something. Every page checks it live, so a withdrawal holds at once.

use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::engagements::{CONSENT_GIVEN, CONSENT_WITHDRAWN, record_activity};
use crate::db::AnyConnection;
use crate::schema::{consents, engagements, listings, partners};

/// Whether the consumer shares their details with the partner right now.
pub fn stands(conn: &mut AnyConnection, partner_id: i64, consumer_id: i64) -> QueryResult<bool> {
    diesel::select(exists(
        consents::table
            .filter(consents::partner_id.eq(partner_id))
            .filter(consents::consumer_id.eq(consumer_id))
            .filter(consents::given.eq(true)),
    ))
    .get_result(conn)
}

/// The table whose consumer `stands_on_row` reads.
#[derive(Debug, Clone, Copy)]
pub enum RowOf {
    Engagements,
    Reviews,
    /// `users.id` is the consumer.
    Users,
}

/// Whether the row's consumer shares their details with the partner right
/// now, as a column of a page's own read: the consent row looked up by its
/// key for each row of the page (one statement for the page, and a plan
/// that stays the page's index whatever the values).
pub fn stands_on_row(partner_id: i64, row: RowOf) -> crate::db::Condition<BigInt, i64> {
    let tail = match row {
        RowOf::Engagements => " AND consents_2.consumer_id = engagements.consumer_id), FALSE)",
        RowOf::Reviews => " AND consents_2.consumer_id = reviews.consumer_id), FALSE)",
        RowOf::Users => " AND consents_2.consumer_id = users.id), FALSE)",
    };
    crate::db::Condition::new(
        [
            "COALESCE((SELECT consents_2.given FROM consents consents_2 ",
            "WHERE consents_2.partner_id = ",
        ],
        partner_id,
        tail,
    )
}

/// Gives consent to the partner; `listing_id` is the listing where it was
/// given, for the timeline. Returns whether anything changed (`false` when
/// it stood already, or the consumer never asked this partner).
pub fn give(
    conn: &mut AnyConnection,
    consumer_id: i64,
    partner_id: i64,
    listing_id: Option<i64>,
) -> QueryResult<bool> {
    if !super::engagements::asked_partner(conn, partner_id, consumer_id)? {
        return Ok(false);
    }
    let t = super::now();
    // Given again after a withdrawal: the row's own update decides, so two
    // at once change it (and record it) once.
    let mut changed = diesel::update(
        consents::table
            .filter(consents::partner_id.eq(partner_id))
            .filter(consents::consumer_id.eq(consumer_id))
            .filter(consents::given.eq(false)),
    )
    .set((
        consents::given.eq(true),
        consents::given_at.eq(t),
        consents::withdrawn_at.eq(None::<time::PrimitiveDateTime>),
    ))
    .execute(conn)?;
    if changed == 0 {
        // Given for the first time; a row that exists (given, or given by a
        // request at the same moment) stays as it is.
        let insert = diesel::insert_into(consents::table)
            .values((
                consents::partner_id.eq(partner_id),
                consents::consumer_id.eq(consumer_id),
                consents::given.eq(true),
                consents::given_at.eq(t),
            ))
            .on_conflict_do_nothing();
        changed = match conn {
            AnyConnection::Postgres(c) => insert.execute(c)?,
            AnyConnection::Sqlite(c) => insert.execute(c)?,
        };
    }
    if changed > 0 {
        record_activity(
            conn,
            consumer_id,
            Some(partner_id),
            listing_id,
            CONSENT_GIVEN,
            "",
        )?;
        crate::webhooks::events::consent_given(conn, partner_id, consumer_id)?;
    }
    Ok(changed > 0)
}

/// Withdraws consent from the partner; returns whether it stood.
pub fn withdraw(conn: &mut AnyConnection, consumer_id: i64, partner_id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        consents::table
            .filter(consents::partner_id.eq(partner_id))
            .filter(consents::consumer_id.eq(consumer_id))
            .filter(consents::given.eq(true)),
    )
    .set((
        consents::given.eq(false),
        consents::withdrawn_at.eq(Some(super::now())),
    ))
    .execute(conn)?;
    if changed > 0 {
        record_activity(
            conn,
            consumer_id,
            Some(partner_id),
            None,
            CONSENT_WITHDRAWN,
            "",
        )?;
        crate::webhooks::events::consent_withdrawn(conn, partner_id, consumer_id)?;
    }
    Ok(changed > 0)
}

/// Withdraws every consent the consumer gives (their account is being
/// deleted): each partner is told, by webhook, to delete what it holds.
pub fn withdraw_all(conn: &mut AnyConnection, consumer_id: i64) -> QueryResult<()> {
    let partners: Vec<i64> = consents::table
        .filter(consents::consumer_id.eq(consumer_id))
        .filter(consents::given.eq(true))
        .select(consents::partner_id)
        .load(conn)?;
    for partner_id in partners {
        withdraw(conn, consumer_id, partner_id)?;
    }
    Ok(())
}

/// Gives or withdraws; returns whether anything changed.
pub fn set(
    conn: &mut AnyConnection,
    consumer_id: i64,
    partner_id: i64,
    give_it: bool,
) -> QueryResult<bool> {
    if give_it {
        give(conn, consumer_id, partner_id, None)
    } else {
        withdraw(conn, consumer_id, partner_id)
    }
}

/// The consumer's standing with one partner they asked, one line per
/// partner, with the services asked for.
#[derive(Debug, Clone)]
pub struct ConsentLine {
    pub partner_id: i64,
    pub partner_name: String,
    pub partner_slug: String,
    pub consent: bool,
    pub listings: Vec<String>,
}

/// Every partner the consumer asked, with whether consent stands.
pub fn of_consumer(conn: &mut AnyConnection, consumer_id: i64) -> QueryResult<Vec<ConsentLine>> {
    let rows: Vec<(i64, String, String, String, bool)> = engagements::table
        .inner_join(partners::table)
        .inner_join(listings::table)
        .filter(engagements::consumer_id.eq(consumer_id))
        .order((partners::name.asc(), listings::title.asc()))
        .select((
            partners::id,
            partners::name,
            partners::slug,
            listings::title,
            exists(
                consents::table
                    .filter(consents::consumer_id.eq(engagements::consumer_id))
                    .filter(consents::partner_id.eq(engagements::partner_id))
                    .filter(consents::given.eq(true)),
            ),
        ))
        .load(conn)?;
    Ok(lines(rows))
}

/// Rows of (partner id, name, slug, listing title, consent stands), in
/// the order shown, as one line per partner.
pub fn lines(
    rows: impl IntoIterator<Item = (i64, String, String, String, bool)>,
) -> Vec<ConsentLine> {
    let mut out: Vec<ConsentLine> = Vec::new();
    for (pid, name, slug, title, consent) in rows {
        match out.iter_mut().find(|l| l.partner_id == pid) {
            Some(line) => line.listings.push(title),
            None => out.push(ConsentLine {
                partner_id: pid,
                partner_name: name,
                partner_slug: slug,
                consent,
                listings: vec![title],
            }),
        }
    }
    out
}
