//! Settings, read from the environment (and an optional `.env` file).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::DbUrl;

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: DbUrl,
    pub bind: String,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    /// The address people write to for help: new tickets arrive there, and
    /// each ticket's signed reply address is made from it
    /// (`support+t1001.SIG@domain`).
    pub support_address: String,
    /// The largest email `agora mail receive` takes.
    pub mail_max_bytes: usize,
    /// Staff and platform admins must sign in with two steps before they
    /// reach `/desk` or `/admin` (`AGORA_REQUIRE_2FA_FOR_STAFF`, on unless
    /// set to 0).
    pub require_two_step_for_staff: bool,
    /// The platform's time zone (`AGORA_TIME_ZONE`, an IANA name; UTC
    /// unless set): times are shown in it to visitors and to people who
    /// chose none.
    pub time_zone: crate::domain::zone::Zone,
    /// Files on ticket messages: where they are kept and how many and how
    /// large they may be.
    pub attachments: crate::support::attachments::Rules,
    /// The mailbox the IMAP poller takes mail from, when set.
    pub imap_url: Option<String>,
    /// Where the poller moves each message it took in.
    pub imap_done_folder: String,
    /// How long the poller waits in IDLE (or between looks without it).
    pub imap_poll: Duration,
    pub secret: Vec<u8>,
    pub pool_size: u32,
    /// HTTP worker threads (`AGORA_WORKERS`); `startup::default_workers`
    /// when unset.
    pub workers: Option<usize>,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Failed sign-ins an account (or a known browser of it) may have
    /// before each further attempt waits.
    pub login_max_failures: i64,
    /// The window of the per-address sign-in limit.
    pub login_window: Duration,
    /// Sign-in attempts one client address may make per `login_window`.
    pub login_address_limit: i64,
    /// The first wait after `login_max_failures` failures; it doubles with
    /// each further failure, up to `login_delay_max`.
    pub login_delay: Duration,
    pub login_delay_max: Duration,
    /// A failure streak is forgotten after this long without a failure.
    pub login_forget: Duration,
    pub trust_forwarded_for: bool,
    /// Proxies in front of the app that append to `X-Forwarded-For`; the
    /// client address is that many entries from the right.
    pub trusted_proxies: usize,
    /// Rate limits of the actions that mail or make work for others.
    pub limits: Limits,
    pub mail_poll: Duration,
    pub mail_backoff: Duration,
    pub mail_max_attempts: i32,
    /// How often digests and SLA warnings are looked for
    /// (`AGORA_NOTIFICATIONS_SECONDS`, 60; 0 turns them off).
    pub notifications_every: Option<Duration>,
    /// How often counted listing views are written.
    pub views_flush: Duration,
    /// How long partner overviews and customer counts are reused.
    pub figures_ttl: Duration,
    /// How long what public pages show everyone is reused when nothing
    /// changed through this process (`web::cache::PublicCache`).
    pub public_ttl: Duration,
    /// API requests a token may make per minute (per instance).
    pub api_rate_per_minute: u32,
    /// How long a request body may take to arrive (then 408).
    pub body_timeout: Duration,
    /// How long sent messages stay in the outbox before they are deleted.
    pub outbox_retention: Duration,
    /// The bearer token `/metrics` asks for. With it alone, the main
    /// listener serves `/metrics`; with `metrics_bind` too, the separate
    /// listener asks for it.
    pub metrics_token: Option<String>,
    /// A separate address that serves only `/metrics` (without a token
    /// unless `metrics_token` is set); the main listener then has none.
    pub metrics_bind: Option<String>,
    /// How webhooks are delivered.
    pub webhooks: WebhookSettings,
    /// Tests only: records every statement the pool runs.
    pub query_log: Option<crate::db::QueryLog>,
}

/// How webhooks are delivered.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Plain http to `localhost`, and loopback addresses, may receive
    /// webhooks (`AGORA_WEBHOOK_ALLOW_LOOPBACK_HTTP=1`: tests and local
    /// development only).
    pub allow_loopback_http: bool,
    /// The waits between tries of a delivery; one try more than waits.
    pub retry_schedule: Vec<Duration>,
    /// How long one try may take, connecting included.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
    /// How long deliveries are kept.
    pub retention: Duration,
}

/// The default waits between tries: about a day and a half in all.
pub const WEBHOOK_RETRY_SCHEDULE: &str = "5s 5m 30m 2h 5h 10h 10h";

/// Reads a list of waits such as `5s 5m 30m 2h` (units `ms`, `s`, `m`,
/// `h`; commas or spaces between).
pub fn parse_schedule(raw: &str) -> Option<Vec<Duration>> {
    let mut out = Vec::new();
    for part in raw.split([',', ' ']).filter(|p| !p.is_empty()) {
        let split = part.find(|c: char| !c.is_ascii_digit())?;
        let (n, unit) = part.split_at(split);
        let n: u64 = n.parse().ok()?;
        out.push(match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(60 * n),
            "h" => Duration::from_secs(3600 * n),
            _ => return None,
        });
    }
    (out.len() <= 20).then_some(out)
}

/// A list of waits as `parse_schedule` reads them.
pub fn describe_schedule(waits: &[Duration]) -> String {
    waits
        .iter()
        .map(|d| {
            let s = d.as_secs();
            if d.subsec_millis() != 0 || s == 0 {
                format!("{}ms", d.as_millis())
            } else if s % 3600 == 0 {
                format!("{}h", s / 3600)
            } else if s % 60 == 0 {
                format!("{}m", s / 60)
            } else {
                format!("{s}s")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl WebhookSettings {
    fn from_env() -> Result<WebhookSettings, ConfigError> {
        let raw = var("AGORA_WEBHOOK_RETRY_SCHEDULE")
            .unwrap_or_else(|| WEBHOOK_RETRY_SCHEDULE.to_string());
        let retry_schedule = parse_schedule(&raw).ok_or(ConfigError::Invalid {
            name: "AGORA_WEBHOOK_RETRY_SCHEDULE",
            reason: format!("`{raw}` is not a list of waits such as `5s 5m 2h` (at most 20)"),
        })?;
        Ok(WebhookSettings {
            allow_loopback_http: matches!(
                var("AGORA_WEBHOOK_ALLOW_LOOPBACK_HTTP").as_deref(),
                Some("1" | "true" | "yes")
            ),
            retry_schedule,
            timeout: Duration::from_secs(number("AGORA_WEBHOOK_TIMEOUT_SECONDS", 10u64)?.max(1)),
            poll: Duration::from_millis(number("AGORA_WEBHOOK_POLL_MS", 1000u64)?.max(10)),
            retention: Duration::from_secs(
                24 * 3600 * number("AGORA_WEBHOOK_RETENTION_DAYS", 30u64)?,
            ),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Db(#[from] crate::db::DbUrlError),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("secret key: {0}")]
    Secret(String),
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            reason: format!("`{v}` is not a number"),
        }),
    }
}

/// The shortest `AGORA_METRICS_TOKEN` accepted.
pub const METRICS_TOKEN_MIN: usize = 16;

/// The folder the secret key file and, by default, the mail folder live
/// in (relative to the working directory).
pub const DATA_DIR: &str = "./data";

/// Where the secret key is kept when `AGORA_SECRET_KEY` is not set.
pub fn secret_key_file() -> PathBuf {
    Path::new(DATA_DIR).join("secret.key")
}

/// Where files attached to ticket messages are kept by default
/// (`AGORA_ATTACHMENTS_DIR`); `agora backup` and `agora restore` carry the
/// folder along when it exists.
pub fn attachments_dir() -> PathBuf {
    Path::new(DATA_DIR).join("attachments")
}

/// Whether the secret key comes from `AGORA_SECRET_KEY` rather than the
/// key file.
pub fn secret_from_env() -> bool {
    var("AGORA_SECRET_KEY").is_some()
}

impl Settings {
    /// The settings the portal runs with; makes the secret key file on
    /// first start.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::read_env(true)
    }

    /// The settings as `from_env` reads them, but without making the secret
    /// key file when there is none yet (a placeholder key stands in): for
    /// `agora check`, which changes nothing, and for `backup` and `restore`,
    /// which carry the key file.
    pub fn from_env_unchanged() -> Result<Settings, ConfigError> {
        Settings::read_env(false)
    }

    fn read_env(create_secret: bool) -> Result<Settings, ConfigError> {
        let data_dir = PathBuf::from(DATA_DIR);
        let database_url =
            DbUrl::parse(&var("DATABASE_URL").unwrap_or_else(|| "./data/agora.db".to_string()))?;
        let bind = var("AGORA_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let base_url = var("AGORA_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        let secret = match var("AGORA_SECRET_KEY") {
            Some(s) if s.len() >= 32 => s.into_bytes(),
            Some(_) => {
                return Err(ConfigError::Secret(
                    "AGORA_SECRET_KEY must be at least 32 characters".into(),
                ));
            }
            None if !create_secret && !secret_key_file().exists() => {
                let mut bytes = vec![0u8; 64];
                rand::fill(&mut bytes[..]);
                bytes
            }
            None => load_or_create_secret(&secret_key_file())?,
        };
        let mut settings = Settings {
            database_url,
            bind,
            base_url,
            smtp_url: var("AGORA_SMTP_URL"),
            mail_dir: var("AGORA_MAIL_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("mail")),
            mail_from: var("AGORA_MAIL_FROM")
                .unwrap_or_else(|| "Agora <no-reply@agora.localhost>".to_string()),
            support_address: String::new(),
            mail_max_bytes: number("AGORA_MAIL_MAX_BYTES", 25 * 1024 * 1024usize)?,
            require_two_step_for_staff: !matches!(
                var("AGORA_REQUIRE_2FA_FOR_STAFF").as_deref(),
                Some("0" | "false" | "no" | "off")
            ),
            time_zone: match var("AGORA_TIME_ZONE") {
                None => crate::domain::zone::Zone::utc(),
                Some(name) => {
                    crate::domain::zone::Zone::named(&name).ok_or_else(|| ConfigError::Invalid {
                        name: "AGORA_TIME_ZONE",
                        reason: format!("{name} is not an IANA time zone (e.g. Europe/Berlin)"),
                    })?
                }
            },
            attachments: crate::support::attachments::Rules {
                dir: var("AGORA_ATTACHMENTS_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(attachments_dir),
                max_bytes: number("AGORA_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024u64)?,
                max_count: number("AGORA_ATTACHMENTS_PER_MESSAGE", 5usize)?,
            },
            imap_url: var("AGORA_IMAP_URL"),
            imap_done_folder: var("AGORA_IMAP_DONE_FOLDER")
                .unwrap_or_else(|| "Agora-Processed".to_string()),
            imap_poll: Duration::from_secs(number("AGORA_IMAP_POLL_SECONDS", 60u64)?.max(1)),
            secret,
            pool_size: number("AGORA_DB_POOL", 8)?,
            workers: match var("AGORA_WORKERS") {
                None => None,
                Some(_) => Some(number("AGORA_WORKERS", 1usize)?.max(1)),
            },
            session_idle: Duration::from_secs(60 * number("AGORA_SESSION_IDLE_MINUTES", 120u64)?),
            session_absolute: Duration::from_secs(
                3600 * number("AGORA_SESSION_MAX_HOURS", 24 * 14u64)?,
            ),
            login_max_failures: number("AGORA_LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(number("AGORA_LOGIN_WINDOW_SECONDS", 900u64)?),
            login_address_limit: number("AGORA_LOGIN_ADDRESS_LIMIT", 100)?,
            login_delay: Duration::from_secs(number("AGORA_LOGIN_DELAY_SECONDS", 30u64)?),
            login_delay_max: Duration::from_secs(number("AGORA_LOGIN_DELAY_MAX_SECONDS", 900u64)?),
            login_forget: Duration::from_secs(number("AGORA_LOGIN_FORGET_SECONDS", 3600u64)?),
            trust_forwarded_for: matches!(
                var("AGORA_TRUST_FORWARDED_FOR").as_deref(),
                Some("1" | "true" | "yes")
            ),
            trusted_proxies: number("AGORA_TRUSTED_PROXIES", 1)?,
            limits: Limits::from_env()?,
            mail_poll: Duration::from_millis(number("AGORA_MAIL_POLL_MS", 2000u64)?),
            mail_backoff: Duration::from_secs(number("AGORA_MAIL_BACKOFF_SECONDS", 30u64)?),
            mail_max_attempts: number("AGORA_MAIL_MAX_ATTEMPTS", 8)?,
            notifications_every: match number("AGORA_NOTIFICATIONS_SECONDS", 60u64)? {
                0 => None,
                n => Some(Duration::from_secs(n)),
            },
            views_flush: Duration::from_millis(number("AGORA_VIEWS_FLUSH_MS", 5000u64)?),
            figures_ttl: Duration::from_secs(number("AGORA_FIGURES_CACHE_SECONDS", 60u64)?),
            public_ttl: Duration::from_secs(number("AGORA_PUBLIC_CACHE_SECONDS", 5u64)?),
            api_rate_per_minute: number("AGORA_API_RATE_PER_MINUTE", 600u32)?,
            body_timeout: Duration::from_secs(number("AGORA_BODY_TIMEOUT_SECONDS", 15u64)?),
            outbox_retention: Duration::from_secs(
                24 * 3600 * number("AGORA_OUTBOX_RETENTION_DAYS", 30u64)?,
            ),
            metrics_token: match var("AGORA_METRICS_TOKEN") {
                Some(t) if t.trim().len() < METRICS_TOKEN_MIN => {
                    return Err(ConfigError::Invalid {
                        name: "AGORA_METRICS_TOKEN",
                        reason: format!("use at least {METRICS_TOKEN_MIN} characters"),
                    });
                }
                t => t.map(|t| t.trim().to_string()),
            },
            metrics_bind: var("AGORA_METRICS_BIND").map(|b| b.trim().to_string()),
            webhooks: WebhookSettings::from_env()?,
            query_log: None,
        };
        settings.support_address = match var("AGORA_SUPPORT_ADDRESS") {
            Some(a) => a.trim().to_lowercase(),
            None => format!("support@{}", settings.mail_domain()),
        };
        if let Some(url) = &settings.imap_url
            && let Err(reason) = crate::mail::imap::ImapUrl::parse(url)
        {
            return Err(ConfigError::Invalid {
                name: "AGORA_IMAP_URL",
                reason,
            });
        }
        if !settings.support_address.contains('@') {
            return Err(ConfigError::Invalid {
                name: "AGORA_SUPPORT_ADDRESS",
                reason: "use an address such as support@example.com".into(),
            });
        }
        Ok(settings)
    }

    /// Whether `/metrics` is served anywhere.
    pub fn metrics_enabled(&self) -> bool {
        self.metrics_token.is_some() || self.metrics_bind.is_some()
    }

    /// Whether the main listener answers `/metrics` itself (with a token
    /// and no separate listener).
    pub fn metrics_on_main_listener(&self) -> bool {
        self.metrics_token.is_some() && self.metrics_bind.is_none()
    }

    /// Whether cookies may be sent over plain http (only on a loopback
    /// address without TLS).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The host part of the base URL, used in Message-IDs.
    pub fn mail_domain(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(&self.base_url);
        let host = rest.split(['/', ':']).next().unwrap_or("localhost");
        if host.is_empty() {
            "localhost".to_string()
        } else {
            host.to_string()
        }
    }
}

/// At most `limit` uses per `window` (fixed windows); a limit of 0 turns
/// the rule off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub limit: i64,
    pub window: Duration,
}

impl Rule {
    pub const fn per_hour(limit: i64) -> Rule {
        Rule {
            limit,
            window: Duration::from_secs(3600),
        }
    }

    pub const fn per_day(limit: i64) -> Rule {
        Rule {
            limit,
            window: Duration::from_secs(24 * 3600),
        }
    }

    /// `COUNT/WINDOW`, the window a number with an optional unit `s`, `m`,
    /// `h` or `d` (seconds without one): `10/1h`, `100/15m`, `3/86400`.
    pub fn parse(raw: &str) -> Result<Rule, String> {
        let (count, window) = raw
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("`{raw}` is not COUNT/WINDOW, like 10/1h"))?;
        let limit: i64 = count
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| format!("`{count}` is not a count"))?;
        let window = window.trim();
        let (digits, unit) = match window.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => window.split_at(i),
            None => (window, "s"),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("`{window}` is not a window, like 15m"))?;
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 24 * 3600,
            _ => return Err(format!("`{window}` has an unknown unit (s, m, h or d)")),
        };
        if n == 0 {
            return Err(format!("`{window}` is an empty window"));
        }
        Ok(Rule {
            limit,
            window: Duration::from_secs(n * scale),
        })
    }
}

/// A limit per account (or per email address the action mails) and one per
/// client address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RulePair {
    pub account: Rule,
    pub address: Rule,
}

/// The rate limits of the actions that send email or make work for
/// others. Staff desk work has none. Each is set with
/// `AGORA_LIMIT_<NAME>` (per account) and `AGORA_LIMIT_<NAME>_ADDRESS`
/// (per client address) as `COUNT/WINDOW`, e.g. `AGORA_LIMIT_TICKETS=10/1h`.
///
/// | name           | what                                   | account  | address   |
/// |----------------|----------------------------------------|----------|-----------|
/// | TICKETS        | opening a ticket                       | 10/1h    | 30/1h     |
/// | REPLIES        | replying on a ticket (consumer, partner)| 60/1h   | 200/1h    |
/// | REQUESTS       | requesting a partner's service         | 20/1h    | 60/1h     |
/// | INVITATIONS    | inviting someone to a partner's team   | 20/1h    | 60/1h     |
/// | RESETS         | asking for a password-reset email      | 3/1h     | 10/1h     |
/// | RESENDS        | asking for a new verification email    | 3/1h     | 10/1h     |
/// | APPLICATIONS   | applying as a partner                  | 3/1d     | 10/1d     |
/// | SIGNUPS        | signing up (mails the address given)   | 3/1h     | 30/1h     |
///
/// For resets, resends and sign-ups the "account" is the email address
/// asked for, whether or not an account has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub tickets: RulePair,
    pub replies: RulePair,
    pub requests: RulePair,
    pub invitations: RulePair,
    pub resets: RulePair,
    pub resends: RulePair,
    pub applications: RulePair,
    pub signups: RulePair,
}

impl Default for Limits {
    fn default() -> Limits {
        let pair = |account, address| RulePair { account, address };
        Limits {
            tickets: pair(Rule::per_hour(10), Rule::per_hour(30)),
            replies: pair(Rule::per_hour(60), Rule::per_hour(200)),
            requests: pair(Rule::per_hour(20), Rule::per_hour(60)),
            invitations: pair(Rule::per_hour(20), Rule::per_hour(60)),
            resets: pair(Rule::per_hour(3), Rule::per_hour(10)),
            resends: pair(Rule::per_hour(3), Rule::per_hour(10)),
            applications: pair(Rule::per_day(3), Rule::per_day(10)),
            signups: pair(Rule::per_hour(3), Rule::per_hour(30)),
        }
    }
}

impl Limits {
    pub fn from_env() -> Result<Limits, ConfigError> {
        let mut limits = Limits::default();
        let fields: [(&'static str, &'static str, &mut RulePair); 8] = [
            (
                "AGORA_LIMIT_TICKETS",
                "AGORA_LIMIT_TICKETS_ADDRESS",
                &mut limits.tickets,
            ),
            (
                "AGORA_LIMIT_REPLIES",
                "AGORA_LIMIT_REPLIES_ADDRESS",
                &mut limits.replies,
            ),
            (
                "AGORA_LIMIT_REQUESTS",
                "AGORA_LIMIT_REQUESTS_ADDRESS",
                &mut limits.requests,
            ),
            (
                "AGORA_LIMIT_INVITATIONS",
                "AGORA_LIMIT_INVITATIONS_ADDRESS",
                &mut limits.invitations,
            ),
            (
                "AGORA_LIMIT_RESETS",
                "AGORA_LIMIT_RESETS_ADDRESS",
                &mut limits.resets,
            ),
            (
                "AGORA_LIMIT_RESENDS",
                "AGORA_LIMIT_RESENDS_ADDRESS",
                &mut limits.resends,
            ),
            (
                "AGORA_LIMIT_APPLICATIONS",
                "AGORA_LIMIT_APPLICATIONS_ADDRESS",
                &mut limits.applications,
            ),
            (
                "AGORA_LIMIT_SIGNUPS",
                "AGORA_LIMIT_SIGNUPS_ADDRESS",
                &mut limits.signups,
            ),
        ];
        for (account, address, pair) in fields {
            if let Some(v) = var(account) {
                pair.account = Rule::parse(&v).map_err(|reason| ConfigError::Invalid {
                    name: account,
                    reason,
                })?;
            }
            if let Some(v) = var(address) {
                pair.address = Rule::parse(&v).map_err(|reason| ConfigError::Invalid {
                    name: address,
                    reason,
                })?;
            }
        }
        Ok(limits)
    }
}

/// Reads the secret from `path`, or makes one there (0600) on first start.
pub fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, ConfigError> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let bytes = hex::decode(text.trim())
            .map_err(|e| ConfigError::Secret(format!("{} is damaged: {e}", path.display())))?;
        if bytes.len() < 32 {
            return Err(ConfigError::Secret(format!(
                "{} is too short",
                path.display()
            )));
        }
        return Ok(bytes);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ConfigError::Secret(e.to_string()))?;
    }
    let mut bytes = vec![0u8; 64];
    rand::fill(&mut bytes[..]);
    write_private(path, hex::encode(&bytes).as_bytes())
        .map_err(|e| ConfigError::Secret(format!("cannot write {}: {e}", path.display())))?;
    Ok(bytes)
}

#[cfg(unix)]
fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(data)
}

#[cfg(not(unix))]
fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, data)
}

#[cfg(test)]
mod tests {
    use super::Rule;
    use std::time::Duration;

    #[test]
    fn reads_retry_schedules() {
        let s = |v: &[u64]| {
            v.iter()
                .map(|n| Duration::from_secs(*n))
                .collect::<Vec<_>>()
        };
        let default = super::parse_schedule(super::WEBHOOK_RETRY_SCHEDULE).unwrap();
        assert_eq!(default, s(&[5, 300, 1800, 7200, 18000, 36000, 36000]));
        assert_eq!(
            super::describe_schedule(&default),
            super::WEBHOOK_RETRY_SCHEDULE
        );
        assert_eq!(
            super::parse_schedule("300ms, 2s").unwrap(),
            vec![Duration::from_millis(300), Duration::from_secs(2)]
        );
        assert_eq!(super::parse_schedule(""), Some(Vec::new()));
        for bad in ["5", "5d", "s", "-1s", "1.5s"] {
            assert!(super::parse_schedule(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn parses_rules() {
        let r = |limit, secs| Rule {
            limit,
            window: Duration::from_secs(secs),
        };
        assert_eq!(Rule::parse("10/1h"), Ok(r(10, 3600)));
        assert_eq!(Rule::parse(" 100 / 15m "), Ok(r(100, 900)));
        assert_eq!(Rule::parse("3/86400"), Ok(r(3, 86400)));
        assert_eq!(Rule::parse("5/30s"), Ok(r(5, 30)));
        assert_eq!(Rule::parse("0/1d"), Ok(r(0, 86400)));
        for bad in ["10", "x/1h", "-1/1h", "10/", "10/0", "10/1w", "10/h"] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
    }
}
