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
    pub secret: Vec<u8>,
    pub pool_size: u32,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub login_max_failures: i64,
    pub login_window: Duration,
    pub trust_forwarded_for: bool,
    pub mail_poll: Duration,
    pub mail_backoff: Duration,
    pub mail_max_attempts: i32,
    /// How often counted listing views are written.
    pub views_flush: Duration,
    /// How long partner overviews and customer counts are reused.
    pub figures_ttl: Duration,
    /// How long a request body may take to arrive (then 408).
    pub body_timeout: Duration,
    /// How long sent messages stay in the outbox before they are deleted.
    pub outbox_retention: Duration,
    /// Tests only: records every statement the pool runs.
    pub query_log: Option<crate::db::QueryLog>,
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

impl Settings {
    pub fn from_env() -> Result<Settings, ConfigError> {
        let data_dir = PathBuf::from("./data");
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
            None => load_or_create_secret(&data_dir.join("secret.key"))?,
        };
        Ok(Settings {
            database_url,
            bind,
            base_url,
            smtp_url: var("AGORA_SMTP_URL"),
            mail_dir: var("AGORA_MAIL_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("mail")),
            mail_from: var("AGORA_MAIL_FROM")
                .unwrap_or_else(|| "Agora <no-reply@agora.localhost>".to_string()),
            secret,
            pool_size: number("AGORA_DB_POOL", 8)?,
            session_idle: Duration::from_secs(60 * number("AGORA_SESSION_IDLE_MINUTES", 120u64)?),
            session_absolute: Duration::from_secs(
                3600 * number("AGORA_SESSION_MAX_HOURS", 24 * 14u64)?,
            ),
            login_max_failures: number("AGORA_LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(number("AGORA_LOGIN_WINDOW_SECONDS", 900u64)?),
            trust_forwarded_for: matches!(
                var("AGORA_TRUST_FORWARDED_FOR").as_deref(),
                Some("1" | "true" | "yes")
            ),
            mail_poll: Duration::from_millis(number("AGORA_MAIL_POLL_MS", 2000u64)?),
            mail_backoff: Duration::from_secs(number("AGORA_MAIL_BACKOFF_SECONDS", 30u64)?),
            mail_max_attempts: number("AGORA_MAIL_MAX_ATTEMPTS", 8)?,
            views_flush: Duration::from_millis(number("AGORA_VIEWS_FLUSH_MS", 5000u64)?),
            figures_ttl: Duration::from_secs(number("AGORA_FIGURES_CACHE_SECONDS", 60u64)?),
            body_timeout: Duration::from_secs(number("AGORA_BODY_TIMEOUT_SECONDS", 15u64)?),
            outbox_retention: Duration::from_secs(
                24 * 3600 * number("AGORA_OUTBOX_RETENTION_DAYS", 30u64)?,
            ),
            query_log: None,
        })
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
