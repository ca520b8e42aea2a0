//! The aggregates pages sort and show, kept in the listing's and the
//! partner's own rows: visible ratings (count, sum and the sort key) and
//! views over the last 30 days (UTC). `recompute_all` sets them from the
//! rows they summarise, on any database.

use diesel::Connection;
use diesel::QueryResult;
use diesel::connection::SimpleConnection;

use crate::db::AnyConnection;

/// Recomputes every listing's and partner's aggregates in one transaction
/// (a savepoint inside an open one).
pub fn recompute_all(conn: &mut AnyConnection) -> QueryResult<()> {
    // The first day inside the 30-day window, as `listing_views.day`
    // writes it (UTC), and the smaller of two numbers.
    let (since, least) = match conn {
        AnyConnection::Sqlite(_) => ("date('now', '-30 days')", "MIN"),
        AnyConnection::Postgres(_) => (
            "to_char((now() AT TIME ZONE 'UTC')::date - 30, 'YYYY-MM-DD')",
            "LEAST",
        ),
    };
    let sql = format!(
        "UPDATE listings SET \
           rating_count = (SELECT COUNT(*) FROM reviews r \
             WHERE r.listing_id = listings.id AND r.hidden_at IS NULL), \
           rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM reviews r \
             WHERE r.listing_id = listings.id AND r.hidden_at IS NULL), \
           views_30d = (SELECT COALESCE(SUM(views), 0) FROM listing_views v \
             WHERE v.listing_id = listings.id AND v.day >= {since}); \
         UPDATE listings SET rating_key = CASE WHEN rating_count = 0 THEN 0 \
           ELSE ((rating_sum * 100 + rating_count / 2) / rating_count) * 1000000 \
             + {least}(rating_count, 999999) END; \
         UPDATE partners SET \
           rating_count = (SELECT COALESCE(SUM(rating_count), 0) FROM listings l \
             WHERE l.partner_id = partners.id), \
           rating_sum = (SELECT COALESCE(SUM(rating_sum), 0) FROM listings l \
             WHERE l.partner_id = partners.id); \
         UPDATE partners SET approved_at = updated_at \
           WHERE status = 'approved' AND approved_at IS NULL;"
    );
    conn.transaction(|conn| conn.batch_execute(&sql))
}
