//! The figures of a partner's overview page, each one SQL aggregate over
//! an index of the partner's own rows: no list of its listing ids is ever
//! bound into a query (the views join the listings instead).

use crate::db::LimitInText;
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
        conversion(
            self.requests_in_period,
            self.views,
            MIN_VIEWS_FOR_CONVERSION,
        )
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
        .select((tickets::created_at, tickets::first_response_at))
        .at_most(RESPONSE_SAMPLE)
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

/// Everything the overview's charts show, counted per bar of a period
/// (`dates` are the bars' first days, one more than there are bars) and
/// for the period just before.
#[derive(Debug, Clone, Default)]
pub struct TrendData {
    pub dates: Vec<Date>,
    pub counts: Vec<(Measure, Vec<i64>, i64)>,
    pub views: Vec<i64>,
    pub views_before: i64,
    /// Visible reviews per bar: (count, sum of ratings).
    pub ratings: Vec<(i64, i64)>,
    pub ratings_before: (i64, i64),
    /// Median business minutes to a first response per bar, over the
    /// whole period and over the period before.
    pub first: Vec<Option<i64>>,
    pub first_all: Option<i64>,
    pub first_before: Option<i64>,
    pub top_requests: Vec<TopListing>,
    pub top_conversion: Vec<TopListing>,
}

impl TrendData {
    pub fn count(&self, m: Measure) -> (&[i64], i64) {
        self.counts
            .iter()
            .find(|(k, _, _)| *k == m)
            .map_or((&[][..], 0), |(_, v, b)| (v.as_slice(), *b))
    }
}

/// Requests per hundred views when there were at least `min` views.
pub fn conversion(requests: i64, views: i64, min: i64) -> Option<i64> {
    (views >= min.max(1)).then(|| (requests * 200 + views) / (views * 2))
}

/// What a chart of the overview counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Requests,
    Reviews,
    Tickets,
    ConsentsGiven,
    ConsentsWithdrawn,
}

/// `read(from, to)` for each period `[bounds[i], bounds[i + 1])`, in
/// order: one bar of a chart each.
pub fn per_bar<T>(
    bounds: &[PrimitiveDateTime],
    mut read: impl FnMut(PrimitiveDateTime, PrimitiveDateTime) -> QueryResult<T>,
) -> QueryResult<Vec<T>> {
    bounds.windows(2).map(|w| read(w[0], w[1])).collect()
}

/// Rows of `query` whose `column` falls in `[from, to)`, counted.
macro_rules! count_between {
    ($conn:expr, $query:expr, $column:expr, $from:expr, $to:expr) => {
        $query
            .filter($column.ge($from))
            .filter($column.lt($to))
            .count()
            .get_result::<i64>($conn)
    };
}

/// How many of the partner's `what` fell in each of the periods
/// `[bounds[i], bounds[i + 1])`: one count over an index of the partner's
/// rows by time per period.
pub fn series(
    conn: &mut AnyConnection,
    partner_id: i64,
    what: Measure,
    bounds: &[PrimitiveDateTime],
) -> QueryResult<Vec<i64>> {
    use crate::schema::{consents, reviews};
    per_bar(bounds, |from, to| match what {
        Measure::Requests => count_between!(
            conn,
            engagements::table.filter(engagements::partner_id.eq(partner_id)),
            engagements::created_at,
            from,
            to
        ),
        Measure::Reviews => count_between!(
            conn,
            reviews::table.filter(reviews::partner_id.eq(partner_id)),
            reviews::created_at,
            from,
            to
        ),
        Measure::Tickets => count_between!(
            conn,
            tickets::table.filter(tickets::partner_id.eq(partner_id)),
            tickets::created_at,
            from,
            to
        ),
        // A consent given (again) in the period: its latest giving.
        Measure::ConsentsGiven => count_between!(
            conn,
            consents::table.filter(consents::partner_id.eq(partner_id)),
            consents::given_at,
            from,
            to
        ),
        Measure::ConsentsWithdrawn => count_between!(
            conn,
            consents::table.filter(consents::partner_id.eq(partner_id)),
            consents::withdrawn_at,
            from,
            to
        ),
    })
}

/// Visible reviews per period: (how many, sum of their ratings).
pub fn rating_series(
    conn: &mut AnyConnection,
    partner_id: i64,
    bounds: &[PrimitiveDateTime],
) -> QueryResult<Vec<(i64, i64)>> {
    use crate::schema::reviews;
    use diesel::sql_types::{BigInt, Nullable};
    per_bar(bounds, |from, to| {
        // Hidden reviews are left out in the sums, not in a condition: a
        // condition on `hidden_at` lets SQLite choose the visible-reviews
        // index and read every visible review of the platform.
        let (n, total): (Option<i64>, Option<i64>) = reviews::table
            .filter(reviews::partner_id.eq(partner_id))
            .filter(reviews::created_at.ge(from))
            .filter(reviews::created_at.lt(to))
            .select((
                diesel::dsl::sql::<Nullable<BigInt>>(
                    "SUM(CASE WHEN hidden_at IS NULL THEN 1 ELSE 0 END)",
                ),
                diesel::dsl::sql::<Nullable<BigInt>>(
                    "SUM(CASE WHEN hidden_at IS NULL THEN rating ELSE 0 END)",
                ),
            ))
            .get_result(conn)?;
        Ok((n.unwrap_or(0), total.unwrap_or(0)))
    })
}

/// The median is taken over at most this many answered tickets of each
/// bar, the newest, so a busy partner's chart costs the same.
pub const RESPONSE_SAMPLE_PER_BAR: i64 = 200;

/// (opened, first answered) of the partner's tickets opened in each
/// period and answered, the newest `RESPONSE_SAMPLE_PER_BAR` of each.
pub fn first_responses(
    conn: &mut AnyConnection,
    partner_id: i64,
    bounds: &[PrimitiveDateTime],
) -> QueryResult<Vec<Vec<(PrimitiveDateTime, PrimitiveDateTime)>>> {
    per_bar(bounds, |from, to| {
        let rows: Vec<(PrimitiveDateTime, Option<PrimitiveDateTime>)> = tickets::table
            .filter(tickets::partner_id.eq(partner_id))
            .filter(tickets::created_at.ge(from))
            .filter(tickets::created_at.lt(to))
            .filter(tickets::first_response_at.is_not_null())
            .order(tickets::created_at.desc())
            .select((tickets::created_at, tickets::first_response_at))
            .at_most(RESPONSE_SAMPLE_PER_BAR)
            .load(conn)?;
        Ok(rows
            .into_iter()
            .filter_map(|(opened, answered)| Some((opened, answered?)))
            .collect())
    })
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

/// A listing among the period's best: its requests and views.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct TopListing {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub slug: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub requests: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub views: i64,
}

impl TopListing {
    /// Requests per hundred views, as the overview rounds it.
    pub fn conversion(&self) -> Option<i64> {
        conversion(self.requests, self.views, 1)
    }
}

/// How many listings each top list names.
pub const TOP_LISTINGS: i64 = 5;

/// The partner's listings with the most requests since `from`, grouped in
/// SQL over the partner's requests by time (views are not counted here).
pub fn top_by_requests(
    conn: &mut AnyConnection,
    partner_id: i64,
    from: PrimitiveDateTime,
) -> QueryResult<Vec<TopListing>> {
    let rows: Vec<(String, String, i64)> = engagements::table
        .inner_join(listings::table)
        .filter(engagements::partner_id.eq(partner_id))
        .filter(engagements::created_at.ge(from))
        .group_by((listings::id, listings::title, listings::slug))
        .order((count_star().desc(), listings::id.asc()))
        .select((listings::title, listings::slug, count_star()))
        .at_most(TOP_LISTINGS)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(title, slug, requests)| TopListing {
            title,
            slug,
            requests,
            views: 0,
        })
        .collect())
}

/// The partner's listings with the most requests per view since `from`
/// (views from the UTC day `from_day`), among those with at least
/// `MIN_VIEWS_FOR_CONVERSION` views: both sides summed in SQL.
pub fn top_by_conversion(
    conn: &mut AnyConnection,
    partner_id: i64,
    from: PrimitiveDateTime,
    from_day: Date,
) -> QueryResult<Vec<TopListing>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let sql = "SELECT l.title AS title, l.slug AS slug, v.views AS views, \
                      COALESCE(r.n, 0) AS requests \
               FROM (SELECT lv.listing_id AS listing_id, SUM(lv.views) AS views \
                     FROM listing_views lv INNER JOIN listings l2 ON l2.id = lv.listing_id \
                     WHERE l2.partner_id = $1 AND lv.day >= $2 \
                     GROUP BY lv.listing_id HAVING SUM(lv.views) >= $3) v \
               INNER JOIN listings l ON l.id = v.listing_id \
               LEFT JOIN (SELECT e.listing_id AS listing_id, COUNT(*) AS n FROM engagements e \
                          WHERE e.partner_id = $1 AND e.created_at >= $4 \
                          GROUP BY e.listing_id) r ON r.listing_id = v.listing_id \
               ORDER BY COALESCE(r.n, 0) * 10000 / v.views DESC, v.views DESC, l.id ASC \
               LIMIT $5";
    let day = from_day.to_string();
    match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql)
            .bind::<BigInt, _>(partner_id)
            .bind::<Text, _>(&day)
            .bind::<BigInt, _>(MIN_VIEWS_FOR_CONVERSION)
            .bind::<Timestamp, _>(from)
            .bind::<BigInt, _>(TOP_LISTINGS)
            .load(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(crate::db::sqlite_placeholders(sql))
            .bind::<BigInt, _>(partner_id)
            .bind::<Text, _>(&day)
            .bind::<BigInt, _>(MIN_VIEWS_FOR_CONVERSION)
            .bind::<Timestamp, _>(from)
            .bind::<BigInt, _>(TOP_LISTINGS)
            .load(c),
    }
}

/// What the admin's platform charts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformMeasure {
    SignUps,
    PartnersApproved,
    ListingsPublished,
    Requests,
    Tickets,
    MailSent,
    MailFailed,
}

impl PlatformMeasure {
    pub const ALL: [PlatformMeasure; 7] = [
        PlatformMeasure::SignUps,
        PlatformMeasure::PartnersApproved,
        PlatformMeasure::ListingsPublished,
        PlatformMeasure::Requests,
        PlatformMeasure::Tickets,
        PlatformMeasure::MailSent,
        PlatformMeasure::MailFailed,
    ];
}

/// How many of `what` happened on the whole platform in each period,
/// one count over an index by time per period. Mail counts what the
/// outbox still keeps (sent mail goes after its retention); a failure
/// counts when it was given up.
pub fn platform_series(
    conn: &mut AnyConnection,
    what: PlatformMeasure,
    bounds: &[PrimitiveDateTime],
) -> QueryResult<Vec<i64>> {
    use crate::models::outbox::{FAILED, SENT};
    use crate::schema::{outgoing_email, partners, users};
    per_bar(bounds, |from, to| match what {
        PlatformMeasure::SignUps => {
            count_between!(conn, users::table, users::created_at, from, to)
        }
        PlatformMeasure::PartnersApproved => {
            count_between!(conn, partners::table, partners::approved_at, from, to)
        }
        PlatformMeasure::ListingsPublished => {
            count_between!(conn, listings::table, listings::published_at, from, to)
        }
        PlatformMeasure::Requests => {
            count_between!(conn, engagements::table, engagements::created_at, from, to)
        }
        PlatformMeasure::Tickets => {
            count_between!(conn, tickets::table, tickets::created_at, from, to)
        }
        PlatformMeasure::MailSent => count_between!(
            conn,
            outgoing_email::table.filter(outgoing_email::status.eq(SENT)),
            outgoing_email::sent_at,
            from,
            to
        ),
        PlatformMeasure::MailFailed => count_between!(
            conn,
            outgoing_email::table.filter(outgoing_email::status.eq(FAILED)),
            outgoing_email::next_attempt_at,
            from,
            to
        ),
    })
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
