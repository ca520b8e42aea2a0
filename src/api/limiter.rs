//! The API's rate limit: requests per token per minute, counted in memory
//! in fixed one-minute windows. Each instance counts on its own, so behind
//! a balancer of N instances a token may make up to N times the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

const WINDOW: Duration = Duration::from_secs(60);

/// Entries kept before old windows are dropped.
const MAX_TOKENS: usize = 10_000;

/// Failed authentications a client address may make per minute before the
/// API stops looking tokens up for it.
pub const FAILURES_PER_MINUTE: u32 = 60;

#[derive(Default)]
pub struct ApiLimiter {
    windows: Mutex<HashMap<i64, (Instant, u32)>>,
    /// Failed authentications per client address.
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Where a token stands after a request was counted (or refused).
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window starts afresh.
    pub reset_secs: u64,
}

impl Standing {
    /// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in [
            ("ratelimit-limit", self.limit as u64),
            ("ratelimit-remaining", self.remaining as u64),
            ("ratelimit-reset", self.reset_secs),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
}

/// What failures are counted by: the address, or its /64 for IPv6 (one
/// client is handed a whole /64).
fn network(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => address.to_string(),
    }
}

impl ApiLimiter {
    /// Whether `address` may try a token now (it has not failed too often
    /// this minute); `Some(seconds to wait)` when it may not.
    pub fn refused(&self, address: &str) -> Option<u64> {
        let now = Instant::now();
        let failures = self.failures.lock().ok()?;
        let (start, n) = failures.get(&network(address))?;
        let age = now.duration_since(*start);
        (age < WINDOW && *n >= FAILURES_PER_MINUTE)
            .then(|| WINDOW.saturating_sub(age).as_secs().max(1))
    }

    /// Counts a failed authentication from `address`.
    pub fn failed(&self, address: &str) {
        let now = Instant::now();
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TOKENS {
            failures.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if failures.len() >= MAX_TOKENS {
                // Bounded whatever the addresses: a flood from many starts
                // the count afresh rather than growing it.
                failures.clear();
            }
        }
        let entry = failures.entry(network(address)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Counts one request of `token_id` against `limit` per minute.
    pub fn take(&self, token_id: i64, limit: u32) -> Standing {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else {
            return Standing {
                allowed: true,
                limit,
                remaining: limit,
                reset_secs: WINDOW.as_secs(),
            };
        };
        if windows.len() >= MAX_TOKENS {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(token_id).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        let reset = WINDOW.saturating_sub(now.duration_since(entry.0));
        let reset_secs = reset.as_secs() + u64::from(reset.subsec_nanos() > 0);
        if entry.1 >= limit {
            return Standing {
                allowed: false,
                limit,
                remaining: 0,
                reset_secs,
            };
        }
        entry.1 += 1;
        Standing {
            allowed: true,
            limit,
            remaining: limit - entry.1,
            reset_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_limit_per_window_and_others_their_own() {
        let l = ApiLimiter::default();
        for n in 0..3 {
            let s = l.take(1, 3);
            assert!(s.allowed);
            assert_eq!(s.remaining, 2 - n);
        }
        let refused = l.take(1, 3);
        assert!(!refused.allowed);
        assert!(refused.reset_secs >= 1 && refused.reset_secs <= 60);
        assert!(l.take(2, 3).allowed);
    }

    #[test]
    fn an_address_failing_too_often_is_refused_for_the_minute() {
        let l = ApiLimiter::default();
        for _ in 0..FAILURES_PER_MINUTE {
            assert_eq!(l.refused("192.0.2.1"), None);
            l.failed("192.0.2.1");
        }
        let wait = l.refused("192.0.2.1").unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(l.refused("192.0.2.2"), None);
        // One IPv6 client is its /64.
        for n in 0..FAILURES_PER_MINUTE {
            l.failed(&format!("2001:db8:1:2::{n:x}"));
        }
        assert!(l.refused("2001:db8:1:2::ffff").is_some());
        assert_eq!(l.refused("2001:db8:1:3::1"), None);
    }
}
