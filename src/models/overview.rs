//! The figures of a partner's overview page, each one SQL aggregate over
//! an index of the partner's own rows: no list of its listing ids is ever
//! bound into a query (the views join the listings instead).

use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use time::{Date, PrimitiveDateTime, Time};

use super::listings::{DRAFT, PUBLISHED, Rating};
use crate::db::AnyConnection;
use crate::domain::ticket::Status;
use crate::domain::zone::Zone;
use crate::schema::{engagements, listing_views, listings, tickets};

/// Conversion is shown from this many views in the period on; below it
/// one request would read as a silly percentage.
pub const MIN_VIEWS_FOR_CONVERSION: i64 = 20;
/// The period of views, requests and conversion.
pub const PERIOD_DAYS: i64 = 30;
/// The period of the median first response.
pub const RESPONSE_DAYS: i64 = 90;
/// The median first response is taken over at most this many of the
/// period's newest answered tickets, so a busy partner costs the same.
pub const RESPONSE_SAMPLE: i64 = 1000;

#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub published: i64,
    pub drafts: i64,
    /// Views of the partner's listings since `period_start`.
    pub views: i64,
    pub requests: i64,
    /// Requests on the partner's listings since `period_start`.
    pub requests_in_period: i64,
    pub rating: Rating,
    pub open_tickets: i64,
    /// (opened, first answered) of the newest answered tickets of the last
    /// `RESPONSE_DAYS`, at most `RESPONSE_SAMPLE`.
    pub first_responses: Vec<(PrimitiveDateTime, PrimitiveDateTime)>,
}

impl Overview {
    /// Requests per hundred views over the same listings and days, when
    /// there were views enough for it to mean something.
    pub fn conversion(&self) -> Option<i64> {
        (self.views >= MIN_VIEWS_FOR_CONVERSION)
            .then(|| (self.requests_in_period * 200 + self.views) / (self.views * 2))
    }
}

/// The start of the period: midnight `PERIOD_DAYS` days ago on the
/// reader's clock, as an instant in UTC. Views are kept per UTC day, so
/// they are counted from the UTC day that instant falls in.
pub fn period_start(now: PrimitiveDateTime, zone: &Zone) -> PrimitiveDateTime {
    let today: Date = zone.local(now).date();
    zone.to_utc(PrimitiveDateTime::new(
        today - time::Duration::days(PERIOD_DAYS),
        Time::MIDNIGHT,
    ))
}

pub fn of_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    now: PrimitiveDateTime,
    zone: &Zone,
) -> QueryResult<Overview> {
    let by_status: Vec<(String, i64)> = listings::table
        .filter(listings::partner_id.eq(partner_id))
        .group_by(listings::status)
        .select((listings::status, count_star()))
        .load(conn)?;
    let count_of = |s: &str| {
        by_status
            .iter()
            .find(|(status, _)| status == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let start = period_start(now, zone);
    let views: Option<i64> = listing_views::table
        .inner_join(listings::table)
        .filter(listings::partner_id.eq(partner_id))
        .filter(listing_views::day.ge(start.date().to_string()))
        .select(sum(listing_views::views))
        .first(conn)?;
    let requests: i64 = engagements::table
        .filter(engagements::partner_id.eq(partner_id))
        .count()
        .get_result(conn)?;
    let requests_in_period: i64 = engagements::table
        .filter(engagements::partner_id.eq(partner_id))
        .filter(engagements::created_at.ge(start))
        .count()
        .get_result(conn)?;
    // Kept in the partner's row as reviews are written and hidden.
    let rating = super::listings::partner_rating(conn, partner_id)?;
    let open_tickets: i64 = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .filter(tickets::status.eq_any([
            Status::New.as_str(),
            Status::Open.as_str(),
            Status::Pending.as_str(),
        ]))
        .count()
        .get_result(conn)?;
    let answered: Vec<(PrimitiveDateTime, Option<PrimitiveDateTime>)> = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .filter(tickets::created_at.ge(now - time::Duration::days(RESPONSE_DAYS)))
        .filter(tickets::first_response_at.is_not_null())
        .order(tickets::created_at.desc())
        .limit(RESPONSE_SAMPLE)
        .select((tickets::created_at, tickets::first_response_at))
        .load(conn)?;
    Ok(Overview {
        published: count_of(PUBLISHED),
        drafts: count_of(DRAFT),
        views: views.unwrap_or(0),
        requests,
        requests_in_period,
        rating,
        open_tickets,
        first_responses: answered
            .into_iter()
            .filter_map(|(opened, answered)| Some((opened, answered?)))
            .collect(),
    })
}

/// What a chart of the overview counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Requests,
    Reviews,
    Tickets,
}

/// How many of the partner's `what` fell in each of the periods
/// `[bounds[i], bounds[i + 1])`: one count over the partner's
/// `(partner_id, created_at)` index per period.
pub fn series(
    conn: &mut AnyConnection,
    partner_id: i64,
    what: Measure,
    bounds: &[PrimitiveDateTime],
) -> QueryResult<Vec<i64>> {
    let mut out = Vec::with_capacity(bounds.len().saturating_sub(1));
    for w in bounds.windows(2) {
        let (from, to) = (w[0], w[1]);
        let n: i64 = match what {
            Measure::Requests => engagements::table
                .filter(engagements::partner_id.eq(partner_id))
                .filter(engagements::created_at.ge(from))
                .filter(engagements::created_at.lt(to))
                .count()
                .get_result(conn)?,
            Measure::Reviews => crate::schema::reviews::table
                .filter(crate::schema::reviews::partner_id.eq(partner_id))
                .filter(crate::schema::reviews::created_at.ge(from))
                .filter(crate::schema::reviews::created_at.lt(to))
                .count()
                .get_result(conn)?,
            Measure::Tickets => tickets::table
                .filter(tickets::partner_id.eq(partner_id))
                .filter(tickets::created_at.ge(from))
                .filter(tickets::created_at.lt(to))
                .count()
                .get_result(conn)?,
        };
        out.push(n);
    }
    Ok(out)
}

/// Views of the partner's listings per day (views are kept per UTC day)
/// from `first` to `last`, days given as `YYYY-MM-DD`.
pub fn views_by_day(
    conn: &mut AnyConnection,
    partner_id: i64,
    first: Date,
    last: Date,
) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, Option<i64>)> = listing_views::table
        .inner_join(listings::table)
        .filter(listings::partner_id.eq(partner_id))
        .filter(listing_views::day.ge(first.to_string()))
        .filter(listing_views::day.le(last.to_string()))
        .group_by(listing_views::day)
        .select((listing_views::day, sum(listing_views::views)))
        .load(conn)?;
    Ok(rows.into_iter().map(|(d, n)| (d, n.unwrap_or(0))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_needs_enough_views() {
        let o = |views, requests_in_period| Overview {
            views,
            requests_in_period,
            ..Overview::default()
        };
        assert_eq!(o(4, 1).conversion(), None);
        assert_eq!(o(19, 3).conversion(), None);
        assert_eq!(o(20, 5).conversion(), Some(25));
        assert_eq!(o(300, 1).conversion(), Some(0));
        assert_eq!(o(200, 1).conversion(), Some(1));
    }
}
