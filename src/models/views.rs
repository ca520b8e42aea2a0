//! Listing views, counted in memory and written in batches: a page view
//! costs no database write. A crash loses at most one flush interval of
//! counts (`AGORA_VIEWS_FLUSH_MS`, 5 s by default); a clean stop flushes what is pending.

use std::collections::HashMap;
use std::sync::Mutex;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::AnyConnection;
use crate::schema::listings;

/// Distinct (listing, day) pairs held before a flush is due anyway.
const MAX_PENDING: usize = 50_000;

#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<(i64, String), i32>>,
}

impl ViewCounter {
    /// Counts one view of the listing today; `true` when so many pairs are
    /// pending that a flush should not wait for the timer.
    pub fn record(&self, listing_id: i64) -> bool {
        let day = super::now().date().to_string();
        let Ok(mut p) = self.pending.lock() else {
            return false;
        };
        *p.entry((listing_id, day)).or_insert(0) += 1;
        p.len() >= MAX_PENDING
    }

    /// Takes what is pending, leaving the counter empty.
    pub fn take(&self) -> Vec<(i64, String, i32)> {
        let Ok(mut p) = self.pending.lock() else {
            return Vec::new();
        };
        std::mem::take(&mut *p)
            .into_iter()
            .map(|((id, day), n)| (id, day, n))
            .collect()
    }

    /// Puts counts back after a failed write, so they are tried again.
    pub fn restore(&self, rows: Vec<(i64, String, i32)>) {
        if let Ok(mut p) = self.pending.lock() {
            for (id, day, n) in rows {
                *p.entry((id, day)).or_insert(0) += n;
            }
        }
    }
}

/// Adds the counts to the daily rows and to each listing's 30-day total,
/// in one write transaction.
pub fn write(conn: &mut AnyConnection, rows: &[(i64, String, i32)]) -> QueryResult<()> {
    crate::db::write_tx(conn, |conn| {
        for (listing_id, day, n) in rows {
            let sql = "INSERT INTO listing_views (listing_id, day, views) VALUES ($1, $2, $3) \
                       ON CONFLICT (listing_id, day) DO UPDATE SET views = listing_views.views + EXCLUDED.views";
            match conn {
                AnyConnection::Postgres(c) => diesel::sql_query(sql)
                    .bind::<BigInt, _>(listing_id)
                    .bind::<Text, _>(day)
                    .bind::<Integer, _>(n)
                    .execute(c)?,
                AnyConnection::Sqlite(c) => {
                    diesel::sql_query(sql.replace("$1", "?").replace("$2", "?").replace("$3", "?"))
                        .bind::<BigInt, _>(listing_id)
                        .bind::<Text, _>(day)
                        .bind::<Integer, _>(n)
                        .execute(c)?
                }
            };
            diesel::update(listings::table.find(listing_id))
                .set(listings::views_30d.eq(listings::views_30d + *n as i64))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Recounts every listing's 30-day views from the daily rows, so days that
/// left the window stop counting. Run once a day by the maintenance loop.
pub fn refresh_window(conn: &mut AnyConnection) -> QueryResult<usize> {
    let since = (super::now().date() - time::Duration::days(30)).to_string();
    let sql = "UPDATE listings SET views_30d = COALESCE((SELECT SUM(v.views) FROM listing_views v \
               WHERE v.listing_id = listings.id AND v.day >= $1), 0) \
               WHERE views_30d <> COALESCE((SELECT SUM(v.views) FROM listing_views v \
               WHERE v.listing_id = listings.id AND v.day >= $1), 0)";
    crate::db::write_tx(conn, |conn| match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).bind::<Text, _>(&since).execute(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1"))
            .bind::<Text, _>(&since)
            .execute(c),
    })
}

#[cfg(test)]
mod tests {
    use super::ViewCounter;

    #[test]
    fn counts_gather_until_taken() {
        let c = ViewCounter::default();
        c.record(1);
        c.record(1);
        c.record(2);
        let mut rows = c.take();
        rows.sort();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].2, 2);
        assert!(c.take().is_empty());
        c.restore(rows);
        assert_eq!(c.take().len(), 2);
    }
}
