//! Rate limits kept in the database, so they hold across several app
//! instances: fixed-window counters of actions (`rate_counters`), and the
//! failure streaks that slow down sign-ins to one account
//! (`login_throttle`). Every count is an atomic upsert inside a write
//! transaction, so parallel requests cannot slip past a limit.

use std::net::IpAddr;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::config::Rule;
use crate::db::{self, AnyConnection};
use crate::schema::{login_throttle, rate_counters};

/// The action name of the per-address sign-in counter.
pub const LOGIN: &str = "login";

/// One counter a use is counted on: `action` by `subject` under `rule`.
#[derive(Debug, Clone)]
pub struct Key {
    pub action: &'static str,
    pub subject: String,
    pub rule: Rule,
}

/// The subject naming an account.
pub fn account_subject(user_id: i64) -> String {
    format!("user:{user_id}")
}

/// The subject naming an email address (for actions that mail it, and the
/// sign-in streak of the account it names, whether or not one exists).
pub fn email_subject(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The subject naming a client address. IPv6 addresses count by their /64
/// network, which one subscriber usually holds whole.
pub fn address_subject(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => format!("ip:{}", ip.trim()),
    }
}

fn to_time(d: std::time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::days(365))
}

/// The start of the fixed window of length `window` that holds `at`.
fn window_start(at: PrimitiveDateTime, window: std::time::Duration) -> PrimitiveDateTime {
    let secs = (window.as_secs() as i64).max(1);
    let ts = at.assume_utc().unix_timestamp();
    let start = ts - ts.rem_euclid(secs);
    let start = OffsetDateTime::from_unix_timestamp(start).unwrap_or(at.assume_utc());
    PrimitiveDateTime::new(start.date(), start.time())
}

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = Integer)]
    hits: i32,
}

/// Adds one to the key's counter of the current window; returns the new
/// count and when the window ends.
fn hit(
    conn: &mut AnyConnection,
    key: &Key,
    now: PrimitiveDateTime,
) -> QueryResult<(i64, PrimitiveDateTime)> {
    let start = window_start(now, key.rule.window);
    let end = start + to_time(key.rule.window).max(Duration::seconds(1));
    let sql = "INSERT INTO rate_counters (action, subject, window_start, hits, expires_at) \
               VALUES ($1, $2, $3, 1, $4) \
               ON CONFLICT (action, subject, window_start) \
               DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits";
    let row: Hits = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql)
            .bind::<Text, _>(key.action)
            .bind::<Text, _>(&key.subject)
            .bind::<Timestamp, _>(start)
            .bind::<Timestamp, _>(end)
            .get_result(c)?,
        AnyConnection::Sqlite(c) => diesel::sql_query(sql.replace('$', "?"))
            .bind::<Text, _>(key.action)
            .bind::<Text, _>(&key.subject)
            .bind::<Timestamp, _>(start)
            .bind::<Timestamp, _>(end)
            .get_result(c)?,
    };
    Ok((row.hits as i64, end))
}

/// Why a counted step stopped (and its transaction rolled back).
enum Stop {
    Db(diesel::result::Error),
    /// An account (or known browser) must wait this long.
    Locked(Duration),
    /// A counter is full until its window ends, this long from now.
    Full(Duration),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Db(e)
    }
}

/// Counts `keys` whose window is full: the longest wait among them.
fn count_all(conn: &mut AnyConnection, keys: &[Key], now: PrimitiveDateTime) -> Result<(), Stop> {
    let mut wait: Option<Duration> = None;
    for key in keys.iter().filter(|k| k.rule.limit > 0) {
        let (n, end) = hit(conn, key, now)?;
        if n > key.rule.limit {
            let w = (end - now).max(Duration::seconds(1));
            wait = Some(wait.map_or(w, |old| old.max(w)));
        }
    }
    match wait {
        Some(w) => Err(Stop::Full(w)),
        None => Ok(()),
    }
}

/// Counts one use under every key, all or none. `Ok(None)` when the use is
/// allowed; `Ok(Some(wait))` when a key's window is full (nothing is
/// counted then), with how long until it empties. A key whose limit is 0
/// is not counted.
pub fn take(conn: &mut AnyConnection, keys: &[Key]) -> QueryResult<Option<Duration>> {
    let now = super::now();
    match db::write_tx(conn, |conn| count_all(conn, keys, now)) {
        Ok(()) => Ok(None),
        Err(Stop::Full(w)) | Err(Stop::Locked(w)) => Ok(Some(w)),
        Err(Stop::Db(e)) => Err(e),
    }
}

/// How sign-ins are slowed: see `Settings::login_*`.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failures of a streak that cost nothing.
    pub free_failures: i64,
    pub delay: std::time::Duration,
    pub delay_max: std::time::Duration,
    pub forget: std::time::Duration,
    pub address: Rule,
}

impl LoginPolicy {
    pub fn from_settings(s: &crate::config::Settings) -> LoginPolicy {
        LoginPolicy {
            free_failures: s.login_max_failures.max(1),
            delay: s.login_delay,
            delay_max: s.login_delay_max,
            forget: s.login_forget,
            address: Rule {
                limit: s.login_address_limit,
                window: s.login_window,
            },
        }
    }

    /// The wait after the `failures`-th failure of a streak: none for the
    /// free ones, then `delay`, doubling with each further failure, at
    /// most `delay_max`.
    pub fn wait_after(&self, failures: i64) -> Option<std::time::Duration> {
        if failures < self.free_failures {
            return None;
        }
        let doublings = (failures - self.free_failures).min(40) as u32;
        let wait = self
            .delay
            .checked_mul(1u32 << doublings.min(31))
            .unwrap_or(self.delay_max);
        Some(wait.min(self.delay_max))
    }
}

/// The answer to a sign-in attempt's reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The password may be checked; the attempt is counted as a failure
    /// until `login_succeeded` clears the streak.
    Allowed,
    /// The account (or this known browser of it) must wait this long.
    Locked(Duration),
    /// The client address made too many attempts; it waits this long.
    AddressFull(Duration),
}

#[derive(QueryableByName)]
struct Streak {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    locked_until: Option<PrimitiveDateTime>,
}

/// Reserves a sign-in attempt before the password is checked, in one write
/// transaction: counts it on `subject`'s streak (an account's email, or a
/// known browser of it) unless that is waiting, and on the client
/// address's counter when `address` is given. Counting before the check
/// means parallel guesses line up on the row: once the free failures are
/// used, the rest find the wait set and are turned away unchecked.
pub fn begin_login(
    conn: &mut AnyConnection,
    subject: &str,
    address: Option<&str>,
    policy: &LoginPolicy,
) -> QueryResult<Attempt> {
    let now = super::now();
    let result = db::write_tx(conn, |conn| {
        // A streak whose row expired starts again at one.
        let sql = "INSERT INTO login_throttle (subject, failures, locked_until, expires_at) \
                   VALUES ($1, 1, NULL, $2) ON CONFLICT (subject) DO UPDATE SET \
                   failures = CASE WHEN login_throttle.expires_at < $3 THEN 1 \
                   ELSE login_throttle.failures + 1 END, \
                   locked_until = CASE WHEN login_throttle.expires_at < $3 THEN NULL \
                   ELSE login_throttle.locked_until END \
                   RETURNING failures, locked_until";
        let expires = now + to_time(policy.forget);
        let streak: Streak = match conn {
            AnyConnection::Postgres(c) => diesel::sql_query(sql)
                .bind::<Text, _>(subject)
                .bind::<Timestamp, _>(expires)
                .bind::<Timestamp, _>(now)
                .get_result(c)?,
            AnyConnection::Sqlite(c) => diesel::sql_query(sql.replace('$', "?"))
                .bind::<Text, _>(subject)
                .bind::<Timestamp, _>(expires)
                .bind::<Timestamp, _>(now)
                .get_result(c)?,
        };
        if let Some(until) = streak.locked_until.filter(|u| *u > now) {
            return Err(Stop::Locked((until - now).max(Duration::seconds(1))));
        }
        let lock = policy
            .wait_after(streak.failures as i64)
            .map(|w| now + to_time(w));
        let expires = lock.unwrap_or(now).max(now) + to_time(policy.forget);
        diesel::update(login_throttle::table.find(subject))
            .set((
                login_throttle::locked_until.eq(lock),
                login_throttle::expires_at.eq(expires),
            ))
            .execute(conn)?;
        if let Some(ip) = address {
            count_all(
                conn,
                &[Key {
                    action: LOGIN,
                    subject: address_subject(ip),
                    rule: policy.address,
                }],
                now,
            )?;
        }
        Ok(())
    });
    match result {
        Ok(()) => Ok(Attempt::Allowed),
        Err(Stop::Locked(w)) => Ok(Attempt::Locked(w)),
        Err(Stop::Full(w)) => Ok(Attempt::AddressFull(w)),
        Err(Stop::Db(e)) => Err(e),
    }
}

/// The right password: the streak of `subject` ends.
pub fn login_succeeded(conn: &mut AnyConnection, subject: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(subject))
        .execute(conn)
        .map(|_| ())
}

/// The failures counted on `subject`'s current streak.
pub fn failures(conn: &mut AnyConnection, subject: &str) -> QueryResult<i64> {
    let n: Option<i32> = login_throttle::table
        .find(subject)
        .select(login_throttle::failures)
        .first(conn)
        .optional()?;
    Ok(n.unwrap_or(0) as i64)
}

/// Drops counters whose window ended and streaks that were forgotten.
pub fn purge(conn: &mut AnyConnection) -> QueryResult<usize> {
    let now = super::now();
    let a = diesel::delete(rate_counters::table.filter(rate_counters::expires_at.lt(now)))
        .execute(conn)?;
    let b = diesel::delete(login_throttle::table.filter(login_throttle::expires_at.lt(now)))
        .execute(conn)?;
    Ok(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as StdDuration;

    #[test]
    fn addresses_count_by_network() {
        assert_eq!(address_subject("203.0.113.7"), "ip:203.0.113.7");
        assert_eq!(
            address_subject("2001:db8:1:2:aaaa::1"),
            "ip:2001:db8:1:2::/64"
        );
        assert_eq!(
            address_subject("2001:db8:1:2:bbbb::9"),
            address_subject("2001:db8:1:2:aaaa::1")
        );
        assert_eq!(address_subject("::ffff:198.51.100.4"), "ip:198.51.100.4");
        assert_eq!(address_subject("unknown"), "ip:unknown");
    }

    #[test]
    fn waits_double_and_stop_at_the_cap() {
        let p = LoginPolicy {
            free_failures: 5,
            delay: StdDuration::from_secs(30),
            delay_max: StdDuration::from_secs(900),
            forget: StdDuration::from_secs(3600),
            address: Rule::per_hour(100),
        };
        let secs = |n| p.wait_after(n).map(|d| d.as_secs());
        assert_eq!(secs(1), None);
        assert_eq!(secs(4), None);
        assert_eq!(secs(5), Some(30));
        assert_eq!(secs(6), Some(60));
        assert_eq!(secs(7), Some(120));
        assert_eq!(secs(9), Some(480));
        assert_eq!(secs(10), Some(900));
        assert_eq!(secs(500), Some(900));
    }

    #[test]
    fn windows_are_aligned() {
        let at = time::macros::datetime!(2026-12-02 10:37:12);
        assert_eq!(
            window_start(at, StdDuration::from_secs(3600)),
            time::macros::datetime!(2026-12-02 10:00:00)
        );
        assert_eq!(
            window_start(at, StdDuration::from_secs(900)),
            time::macros::datetime!(2026-12-02 10:30:00)
        );
    }
}
