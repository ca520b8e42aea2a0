//! A consumer's own history, as `/me` charts it and `/me/history.csv`
//! gives it: their activities (requests, reviews, tickets, consents), read
//! over the `(consumer_id, created_at)` index of their own rows only.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{activities, listings, partners};

/// At most this many of a consumer's activities are charted.
pub const CHART_CAP: i64 = 10_000;
/// Rows the export reads per query.
pub const EXPORT_BATCH: i64 = 1000;

/// The kinds and times of the consumer's activities since `from`, the
/// newest `CHART_CAP`.
pub fn kinds_since(
    conn: &mut AnyConnection,
    consumer_id: i64,
    from: PrimitiveDateTime,
) -> QueryResult<Vec<(String, PrimitiveDateTime)>> {
    activities::table
        .filter(activities::consumer_id.eq(consumer_id))
        .filter(activities::created_at.ge(from))
        .order(activities::created_at.desc())
        .select((activities::kind, activities::created_at))
        .at_most(CHART_CAP)
        .load(conn)
}

/// One activity with the names of its partner and listing.
#[derive(Debug, Clone, Queryable)]
pub struct Entry {
    pub id: i64,
    pub kind: String,
    pub created_at: PrimitiveDateTime,
    pub partner: Option<String>,
    pub listing: Option<String>,
}

/// The consumer's activities after `after` (time, id), oldest first.
pub fn batch(
    conn: &mut AnyConnection,
    consumer_id: i64,
    after: Option<(PrimitiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    let mut q = activities::table
        .left_join(partners::table.on(activities::partner_id.eq(partners::id.nullable())))
        .left_join(listings::table.on(activities::listing_id.eq(listings::id.nullable())))
        .filter(activities::consumer_id.eq(consumer_id))
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            activities::created_at
                .gt(at)
                .or(activities::created_at.eq(at).and(activities::id.gt(id))),
        );
    }
    q.order((activities::created_at.asc(), activities::id.asc()))
        .select((
            activities::id,
            activities::kind,
            activities::created_at,
            partners::name.nullable(),
            listings::title.nullable(),
        ))
        .at_most(limit)
        .load(conn)
}
