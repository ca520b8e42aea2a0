//! The periodic clean-up: expired sessions go, rate-limit counters whose
//! window ended and forgotten sign-in failure streaks go, listings' 30-day view
//! counts are recounted once a day, long-resolved tickets close, old sent
//! email and webhook deliveries go. With
//! several app instances on one PostgreSQL database, one pass runs at a
//! time: each takes a transaction-level advisory lock and an instance that
//! does not get it skips the pass.

use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::{self, AnyConnection};

/// The advisory lock key of the clean-up pass (ticket numbers use 72001).
pub const LOCK_KEY: i64 = 72002;

/// Resolved tickets close by themselves after this long.
pub const RESOLVED_TICKETS_CLOSE_AFTER: time::Duration = time::Duration::days(7);

/// What a pass does besides the always-on work.
#[derive(Debug, Clone, Copy)]
pub struct PassOptions {
    pub session_absolute: time::Duration,
    /// Recount the listings' 30-day views (once a day).
    pub recount_views: bool,
    /// Sent messages older than this are deleted.
    pub outbox_retention: time::Duration,
    /// Webhook deliveries older than this (and no longer waiting) are
    /// deleted with their tries.
    pub webhook_retention: time::Duration,
}

/// Runs one pass unless another instance is running one; `true` when this
/// call did the work.
pub fn run_pass(conn: &mut AnyConnection, options: PassOptions) -> QueryResult<bool> {
    match conn {
        AnyConnection::Postgres(_) => conn.transaction(|conn| {
            let got: bool = diesel::select(diesel::dsl::sql::<Bool>(&format!(
                "pg_try_advisory_xact_lock({LOCK_KEY})"
            )))
            .get_result(conn)?;
            if !got {
                return Ok(false);
            }
            work(conn, options)?;
            Ok(true)
        }),
        AnyConnection::Sqlite(_) => {
            work(conn, options)?;
            Ok(true)
        }
    }
}

fn work(conn: &mut AnyConnection, options: PassOptions) -> QueryResult<()> {
    crate::models::sessions::purge_expired(conn, options.session_absolute)?;
    // A few thousand at a time, so one pass never holds the writer long.
    for _ in 0..10 {
        if crate::models::outbox::purge_sent(conn, options.outbox_retention, 1000)? < 1000 {
            break;
        }
    }
    for _ in 0..10 {
        if crate::models::webhooks::purge(conn, options.webhook_retention, 1000)? < 1000 {
            break;
        }
    }
    crate::mail::inbound::purge(conn, options.outbox_retention, 1000)?;
    crate::models::throttle::purge(conn)?;
    crate::models::api_tokens::purge_keys(conn)?;
    crate::models::passkeys::purge(conn)?;
    if options.recount_views {
        crate::models::views::refresh_window(conn)?;
    }
    db::write_tx(conn, |conn| {
        let cfg = crate::models::tickets::sla_config(conn)?;
        crate::models::tickets::close_stale(conn, RESOLVED_TICKETS_CLOSE_AFTER, &cfg)
    })?;
    Ok(())
}
