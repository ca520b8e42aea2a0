//! `agora check`: whether the portal could start and work as configured,
//! without changing anything. One line per check (`ok` or `FAILED:` and the
//! reason), and an exit code for scripts.

use std::collections::BTreeSet;
use std::net::ToSocketAddrs;
use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use crate::config::{ConfigError, Settings, secret_from_env, secret_key_file};
use crate::db::{self, AnyConnection, DbUrl};

/// Every check passed.
pub const EXIT_OK: i32 = 0;
/// The configuration is valid, but at least one other check failed.
pub const EXIT_FAILED: i32 = 1;
/// The configuration cannot be read; nothing else was checked.
pub const EXIT_CONFIG: i32 = 2;

/// How long the database and the SMTP server may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

type Outcome = Result<String, String>;

/// Prints a check's line; a reason over several lines (libpq's) is put
/// on one.
fn line(name: &str, outcome: &Outcome) {
    let one = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    match outcome {
        Ok(detail) if detail.is_empty() => println!("{name}: ok"),
        Ok(detail) => println!("{name}: ok ({})", one(detail)),
        Err(reason) => println!("{name}: FAILED: {}", one(reason)),
    }
}

/// Runs every check, prints a line for each, and returns the exit code.
pub async fn run(settings: Result<Settings, ConfigError>) -> i32 {
    let settings = match settings.map_err(|e| e.to_string()).and_then(configuration) {
        Ok((settings, detail)) => {
            line("configuration", &Ok(detail));
            settings
        }
        Err(reason) => {
            line("configuration", &Err(reason));
            return EXIT_CONFIG;
        }
    };
    let url = settings.database_url.clone();
    let (database, migrations) = tokio::task::spawn_blocking(move || database(&url))
        .await
        .unwrap_or_else(|e| (Err(e.to_string()), Err("not checked".to_string())));
    line("database", &database);
    line("migrations", &migrations);
    let mail = mail(&settings).await;
    line("mail", &mail);
    if database.is_ok() && migrations.is_ok() && mail.is_ok() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// What `Settings::from_env` does not look at but serving needs.
fn configuration(settings: Settings) -> Result<(Settings, String), String> {
    settings
        .bind
        .to_socket_addrs()
        .map_err(|e| format!("AGORA_BIND `{}` is not an address: {e}", settings.bind))?;
    if !(settings.base_url.starts_with("http://") || settings.base_url.starts_with("https://")) {
        return Err(format!(
            "AGORA_BASE_URL `{}` is not an http:// or https:// URL",
            settings.base_url
        ));
    }
    let key = secret_key_file();
    let detail = if secret_from_env() {
        "secret key from AGORA_SECRET_KEY".to_string()
    } else if key.exists() {
        format!("secret key from {}", key.display())
    } else {
        format!(
            "no secret key yet: the portal makes {} at first start",
            key.display()
        )
    };
    Ok((settings, detail))
}

/// The database's line and the migrations' line.
fn database(url: &DbUrl) -> (Outcome, Outcome) {
    match open(url) {
        Ok((mut conn, detail)) => (Ok(detail), pending(&mut conn)),
        Err(reason) => (
            Err(reason),
            Err("not checked: the database cannot be reached".to_string()),
        ),
    }
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Connects without creating anything: a missing SQLite file is an error
/// here (the portal would make an empty one).
fn open(url: &DbUrl) -> Result<(AnyConnection, String), String> {
    match url {
        DbUrl::Sqlite(path) => {
            if !Path::new(path).is_file() {
                return Err(format!(
                    "there is no SQLite database at {path} (`agora migrate` or starting the portal makes one)"
                ));
            }
            let mut conn = SqliteConnection::establish(path)
                .map_err(|e| format!("cannot open SQLite at {path}: {e}"))?;
            conn.batch_execute("PRAGMA busy_timeout = 5000; SELECT count(*) FROM sqlite_master;")
                .map_err(|e| format!("cannot read SQLite at {path}: {e}"))?;
            Ok((AnyConnection::Sqlite(conn), format!("SQLite at {path}")))
        }
        DbUrl::Postgres(raw) => {
            let shown = without_credentials(raw);
            let mut conn = PgConnection::establish(&with_connect_timeout(raw))
                .map_err(|e| format!("cannot connect to PostgreSQL at {shown}: {e}"))?;
            let version: Version =
                diesel::sql_query("SELECT current_setting('server_version') AS version")
                    .get_result(&mut conn)
                    .map_err(|e| format!("PostgreSQL at {shown} does not answer: {e}"))?;
            Ok((
                AnyConnection::Postgres(conn),
                format!("PostgreSQL {} at {shown}", version.version),
            ))
        }
    }
}

/// A PostgreSQL URL that gives up on a silent host after `TIMEOUT`.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={}", TIMEOUT.as_secs())
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    present: bool,
}

const MIGRATIONS_TABLE_SQLITE: &str = "SELECT EXISTS (SELECT 1 FROM sqlite_master \
     WHERE type = 'table' AND name = '__diesel_schema_migrations') AS present";
const MIGRATIONS_TABLE_POSTGRES: &str =
    "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present";
const APPLIED: &str = "SELECT version FROM __diesel_schema_migrations";

/// The versions of the migrations applied to the database, read without
/// making diesel's bookkeeping table when it is missing (diesel's own
/// `pending_migrations` would make it).
fn applied(conn: &mut AnyConnection) -> diesel::QueryResult<BTreeSet<String>> {
    let versions: Vec<Version> = match conn {
        AnyConnection::Sqlite(c) => {
            let table: Exists = diesel::sql_query(MIGRATIONS_TABLE_SQLITE).get_result(c)?;
            if table.present {
                diesel::sql_query(APPLIED).load(c)?
            } else {
                Vec::new()
            }
        }
        AnyConnection::Postgres(c) => {
            let table: Exists = diesel::sql_query(MIGRATIONS_TABLE_POSTGRES).get_result(c)?;
            if table.present {
                diesel::sql_query(APPLIED).load(c)?
            } else {
                Vec::new()
            }
        }
    };
    Ok(versions.into_iter().map(|v| v.version).collect())
}

/// The migrations this build carries for the backend: (version, folder
/// name).
fn known(conn: &AnyConnection) -> Result<Vec<(String, String)>, String> {
    fn listed<DB: diesel::backend::Backend>(
        source: &impl MigrationSource<DB>,
    ) -> Result<Vec<(String, String)>, String> {
        let all = source
            .migrations()
            .map_err(|e| format!("cannot list this build's migrations: {e}"))?;
        Ok(all
            .iter()
            .map(|m| (m.name().version().to_string(), m.name().to_string()))
            .collect())
    }
    match conn {
        AnyConnection::Sqlite(_) => listed::<diesel::sqlite::Sqlite>(&db::SQLITE_MIGRATIONS),
        AnyConnection::Postgres(_) => listed::<diesel::pg::Pg>(&db::POSTGRES_MIGRATIONS),
    }
}

/// The migrations applied to the database that this build does not carry:
/// a newer Agora applied them.
pub fn unknown_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, String> {
    let known = known(conn)?;
    let applied = applied(conn).map_err(|e| format!("cannot read the applied migrations: {e}"))?;
    Ok(applied
        .into_iter()
        .filter(|v| !known.iter().any(|(k, _)| k == v))
        .collect())
}

fn pending(conn: &mut AnyConnection) -> Outcome {
    let unknown = unknown_migrations(conn)?;
    if !unknown.is_empty() {
        return Err(format!(
            "the database has migrations this build does not know ({}): a newer Agora migrated it",
            join(unknown.iter().collect())
        ));
    }
    let known = known(conn)?;
    let applied = applied(conn).map_err(|e| format!("cannot read the applied migrations: {e}"))?;
    let waiting: Vec<&String> = known
        .iter()
        .filter(|(v, _)| !applied.contains(v))
        .map(|(_, name)| name)
        .collect();
    if !waiting.is_empty() {
        return Err(format!(
            "{} of {} pending ({}): run `agora migrate`, or start the portal, which applies them",
            waiting.len(),
            known.len(),
            join(waiting)
        ));
    }
    Ok(format!("{} applied, none pending", applied.len()))
}

fn join(versions: Vec<&String>) -> String {
    let shown: Vec<&str> = versions.iter().take(3).map(|v| v.as_str()).collect();
    let mut text = shown.join(", ");
    if versions.len() > shown.len() {
        text.push_str(&format!(" and {} more", versions.len() - shown.len()));
    }
    text
}

/// Connects to the SMTP server, says EHLO (and signs in, when the URL has
/// credentials) and NOOP; or says where mail goes without one.
async fn mail(settings: &Settings) -> Outcome {
    let Some(url) = &settings.smtp_url else {
        let dir = &settings.mail_dir;
        if dir.exists() && !dir.is_dir() {
            return Err(format!(
                "no AGORA_SMTP_URL, and the mail folder {} is not a folder",
                dir.display()
            ));
        }
        return Ok(format!(
            "no AGORA_SMTP_URL: mail is written to the outbox only, as .eml files in {}",
            dir.display()
        ));
    };
    let shown = without_credentials(url);
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("AGORA_SMTP_URL is not valid: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
    match tokio::time::timeout(TIMEOUT * 2, transport.test_connection()).await {
        Ok(Ok(true)) => Ok(format!("SMTP server at {shown} answers")),
        Ok(Ok(false)) => Err(format!("SMTP server at {shown} did not answer NOOP")),
        Ok(Err(e)) => Err(format!("SMTP server at {shown}: {e}")),
        Err(_) => Err(format!("SMTP server at {shown} did not answer in time")),
    }
}

/// A URL without the user name and password it may carry.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find(['/', '?']) {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn hides_credentials() {
        assert_eq!(
            without_credentials("smtps://me:secret@mail.example.com:465"),
            "smtps://mail.example.com:465"
        );
        assert_eq!(
            without_credentials("postgres://u:p@db/agora?sslmode=require"),
            "postgres://db/agora?sslmode=require"
        );
        assert_eq!(
            without_credentials("smtp://127.0.0.1:25"),
            "smtp://127.0.0.1:25"
        );
    }
}
