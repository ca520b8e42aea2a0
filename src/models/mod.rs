pub mod api_tokens;
pub mod audit;
pub mod catalogue;
pub mod consents;
pub mod crm;
pub mod engagements;
pub mod export;
pub mod history;
pub mod listings;
pub mod outbox;
pub mod overview;
pub mod partners;
pub mod passkeys;
pub mod preferences;
pub mod search;
pub mod sessions;
pub mod stats;
pub mod throttle;
pub mod tickets;
pub mod tokens;
pub mod two_step;
pub mod users;
pub mod views;
pub mod webhooks;

use time::{OffsetDateTime, PrimitiveDateTime};

/// The current time in UTC, as stored in the database (microseconds).
pub fn now() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.microsecond() * 1000)
        .unwrap_or(now);
    PrimitiveDateTime::new(now.date(), now.time())
}
