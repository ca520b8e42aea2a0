//! `agora check`, run as the real binary: one line per check, exit 0 when
//! all pass, 1 when one fails, 2 when the configuration is invalid, and
//! nothing changed either way.

use std::path::Path;
use std::process::{Command, Output};

use crate::both;
use crate::helpers::{Backend, TestDb, pool_of};
use crate::smtp::MailSink;

/// Runs `agora ARGS` in `dir` with only the given settings.
fn agora(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(dir).args(args);
    for name in [
        "DATABASE_URL",
        "AGORA_SMTP_URL",
        "AGORA_SECRET_KEY",
        "AGORA_BIND",
        "AGORA_BASE_URL",
        "AGORA_MAIL_DIR",
        "AGORA_DB_POOL",
    ] {
        cmd.env_remove(name);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `agora check`'s lines by check name, and its exit code.
async fn check(dir: &Path, envs: &[(&str, &str)]) -> (Vec<(String, String)>, i32, String) {
    let (dir, envs): (std::path::PathBuf, Vec<(String, String)>) = (
        dir.to_path_buf(),
        envs.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    // The SMTP sink answers on this runtime while the binary runs.
    let out = tokio::task::spawn_blocking(move || {
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        agora(&dir, &envs, &["check"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines = stdout
        .lines()
        .map(|l| {
            let (name, rest) = l
                .split_once(": ")
                .unwrap_or_else(|| panic!("not a check line: {l}"));
            (name.to_string(), rest.to_string())
        })
        .collect();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (lines, out.status.code().unwrap_or(-1), text)
}

fn outcome<'a>(lines: &'a [(String, String)], name: &str, text: &str) -> &'a str {
    lines
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, rest)| rest.as_str())
        .unwrap_or_else(|| panic!("no {name} line:\n{text}"))
}

fn url_of(url: &agora::db::DbUrl) -> String {
    match url {
        agora::db::DbUrl::Sqlite(p) => format!("sqlite://{p}"),
        agora::db::DbUrl::Postgres(u) => u.clone(),
    }
}

async fn migrated(backend: Backend) -> (TestDb, String) {
    let (db, url) = TestDb::create(backend);
    let u = url.clone();
    tokio::task::spawn_blocking(move || {
        agora::db::run_migrations(&mut pool_of(&u).get().unwrap()).unwrap()
    })
    .await
    .unwrap();
    (db, url_of(&url))
}

const KEY: (&str, &str) = ("AGORA_SECRET_KEY", "0123456789abcdef0123456789abcdef-check");

async fn check_passes_on_a_migrated_database(backend: Backend) {
    let (_db, url) = migrated(backend).await;
    let sink = MailSink::start().await;
    let smtp = format!("smtp://127.0.0.1:{}", sink.port);
    let dir = tempfile::tempdir().unwrap();
    let (lines, code, text) = check(
        dir.path(),
        &[("DATABASE_URL", &url), ("AGORA_SMTP_URL", &smtp), KEY],
    )
    .await;
    assert_eq!(code, 0, "{text}");
    let names: Vec<&str> = lines.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["configuration", "database", "migrations", "mail"],
        "{text}"
    );
    for (name, rest) in &lines {
        assert!(rest.starts_with("ok"), "{name}: {rest}");
    }
    assert!(
        outcome(&lines, "migrations", &text).contains("none pending"),
        "{text}"
    );
    assert!(outcome(&lines, "mail", &text).contains("answers"), "{text}");
    assert!(outcome(&lines, "configuration", &text).contains("AGORA_SECRET_KEY"));
    // Without an SMTP server mail stays in the outbox: that passes, said so.
    let (lines, code, text) = check(dir.path(), &[("DATABASE_URL", &url), KEY]).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        outcome(&lines, "mail", &text).contains("mail is written to the outbox only"),
        "{text}"
    );
    // Nothing was made in the working directory (no data/, no key).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
both!(check_passes_on_a_migrated_database);

async fn check_fails_on_pending_migrations(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    // A fresh database: an empty SQLite file, or an empty PostgreSQL one.
    let (_db, url) = TestDb::create(backend);
    if let agora::db::DbUrl::Sqlite(p) = &url {
        std::fs::write(p, b"").unwrap();
    }
    let url = url_of(&url);
    let (lines, code, text) = check(dir.path(), &[("DATABASE_URL", &url)]).await;
    assert_eq!(code, 1, "{text}");
    assert!(
        outcome(&lines, "database", &text).starts_with("ok"),
        "{text}"
    );
    let migrations = outcome(&lines, "migrations", &text);
    assert!(migrations.starts_with("FAILED: "), "{text}");
    let count = std::fs::read_dir("migrations/sqlite").unwrap().count();
    assert!(
        migrations.contains(&format!("{count} of {count} pending")),
        "{text}"
    );
    assert!(
        migrations.contains("2026-11-25-000001_foundation"),
        "{text}"
    );
    // The configuration passed without a key file being made for it.
    assert!(outcome(&lines, "configuration", &text).contains("no secret key yet"));
    assert!(!dir.path().join("data").exists());
    // The check ran nothing: the database is as empty as before.
    let parsed = agora::db::DbUrl::parse(&url).unwrap();
    if let agora::db::DbUrl::Sqlite(p) = &parsed {
        assert_eq!(
            std::fs::metadata(p).unwrap().len(),
            0,
            "the file was written"
        );
    }
    let pool = pool_of(&parsed);
    let tables = tokio::task::spawn_blocking(move || {
        use diesel_migrations::MigrationHarness;
        let mut conn = pool.get().unwrap();
        let tables = table_count(&mut conn);
        // Then all but the last migration.
        agora::db::run_migrations(&mut conn).unwrap();
        match &mut **conn {
            agora::db::AnyConnection::Sqlite(c) => {
                c.revert_last_migration(agora::db::SQLITE_MIGRATIONS)
                    .unwrap();
            }
            agora::db::AnyConnection::Postgres(c) => {
                c.revert_last_migration(agora::db::POSTGRES_MIGRATIONS)
                    .unwrap();
            }
        }
        tables
    })
    .await
    .unwrap();
    assert_eq!(tables, 0, "the check made tables");
    let (lines, code, text) = check(dir.path(), &[("DATABASE_URL", &url)]).await;
    assert_eq!(code, 1, "{text}");
    assert!(
        outcome(&lines, "migrations", &text).contains(&format!("1 of {count} pending")),
        "{text}"
    );
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn table_count(conn: &mut agora::db::AnyConnection) -> i64 {
    use diesel::RunQueryDsl;
    let row: Count = match conn {
        agora::db::AnyConnection::Sqlite(c) => {
            diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'")
                .get_result(c)
        }
        agora::db::AnyConnection::Postgres(c) => diesel::sql_query(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .get_result(c),
    }
    .unwrap();
    row.n
}
both!(check_fails_on_pending_migrations);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_when_the_database_or_smtp_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Nothing listens there now.
    let pg = format!("postgres://postgres@127.0.0.1:{closed}/agora");
    let (lines, code, text) = check(dir.path(), &[("DATABASE_URL", &pg), KEY]).await;
    assert_eq!(code, 1, "{text}");
    let database = outcome(&lines, "database", &text);
    assert!(
        database.starts_with("FAILED: cannot connect to PostgreSQL"),
        "{text}"
    );
    assert!(outcome(&lines, "migrations", &text).starts_with("FAILED: not checked"));
    assert_eq!(lines.len(), 4, "one line per check:\n{text}");

    let (_db, url) = migrated(Backend::Sqlite).await;
    let smtp = format!("smtp://user:hunter2secret@127.0.0.1:{closed}");
    let (lines, code, text) = check(
        dir.path(),
        &[("DATABASE_URL", &url), ("AGORA_SMTP_URL", &smtp), KEY],
    )
    .await;
    assert_eq!(code, 1, "{text}");
    assert!(
        outcome(&lines, "database", &text).starts_with("ok"),
        "{text}"
    );
    assert!(
        outcome(&lines, "migrations", &text).starts_with("ok"),
        "{text}"
    );
    let mail = outcome(&lines, "mail", &text);
    assert!(
        mail.starts_with("FAILED: SMTP server at smtp://127.0.0.1:"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2secret"),
        "the password is not shown: {text}"
    );

    // A SQLite file that is not there is not made.
    let missing = dir.path().join("nope/agora.db");
    let missing = format!("sqlite://{}", missing.display());
    let (lines, code, text) = check(dir.path(), &[("DATABASE_URL", &missing), KEY]).await;
    assert_eq!(code, 1, "{text}");
    assert!(
        outcome(&lines, "database", &text).contains("no SQLite database"),
        "{text}"
    );
    assert!(!dir.path().join("nope").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exits_2_on_an_invalid_configuration() {
    let dir = tempfile::tempdir().unwrap();
    for envs in [
        vec![("AGORA_DB_POOL", "many")],
        vec![("DATABASE_URL", "mysql://localhost/agora")],
        vec![("AGORA_SECRET_KEY", "short")],
        vec![("AGORA_BIND", "not an address")],
    ] {
        let (lines, code, text) = check(dir.path(), &envs).await;
        assert_eq!(code, 2, "{envs:?}: {text}");
        assert_eq!(lines.len(), 1, "{envs:?}: {text}");
        assert!(
            outcome(&lines, "configuration", &text).starts_with("FAILED: "),
            "{text}"
        );
    }
    let out = agora(dir.path(), &[], &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("agora {}", env!("CARGO_PKG_VERSION"))
    );
}
