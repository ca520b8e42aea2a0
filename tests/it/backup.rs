//! `agora backup` and `agora restore`, run as the real binary against a
//! SQLite database the portal is writing to.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agora::config::{Rule, RulePair};
use agora::db::DbUrl;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{Backend, PASSWORD};
use crate::helpers::{Person, TestApp, csrf_in, spawn_app, spawn_app_with};

/// Runs `agora ARGS` in `cwd` with `DATABASE_URL` and nothing else set.
fn agora(cwd: &Path, database_url: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(cwd).args(args);
    for name in ["AGORA_SECRET_KEY", "AGORA_SMTP_URL", "AGORA_MAIL_DIR"] {
        cmd.env_remove(name);
    }
    cmd.env("DATABASE_URL", database_url);
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const OFF: RulePair = RulePair {
    account: Rule {
        limit: 0,
        window: Duration::from_secs(3600),
    },
    address: Rule {
        limit: 0,
        window: Duration::from_secs(3600),
    },
};

/// Opens a ticket for `who` and returns its number.
async fn open_ticket(app: &TestApp, who: &Person) -> i64 {
    let page = app
        .post_with(
            &who.client,
            "/me/tickets/new",
            &[
                ("subject", "Load"),
                ("message", "The first message."),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.headers["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A reply the portal acknowledged (303), and when the answer arrived.
struct Ack {
    body: String,
    at: Instant,
}

/// Replies on `ticket` as fast as the portal answers until `stop`,
/// recording each acknowledged reply; any other answer is an error.
async fn write_load(
    app: Arc<TestApp>,
    who: Person,
    ticket: i64,
    task: usize,
    acks: Arc<Mutex<Vec<Ack>>>,
    stop: Arc<AtomicBool>,
) -> Vec<String> {
    let token = csrf_in(&app.get_with(&who.client, "/").await.body);
    let url = app.url(&format!("/me/tickets/{ticket}/reply"));
    let mut errors = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let body = format!("load reply {task}-{i}");
        let res = who
            .client
            .post(&url)
            .form(&[("csrf", token.as_str()), ("body", body.as_str())])
            .send()
            .await;
        match res {
            Ok(r) if r.status() == StatusCode::SEE_OTHER => {
                acks.lock().unwrap().push(Ack {
                    body,
                    at: Instant::now(),
                });
            }
            Ok(r) => errors.push(format!("{body}: {}", r.status())),
            Err(e) => errors.push(format!("{body}: {e}")),
        }
    }
    errors
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_every_acknowledged_write() {
    let app = Arc::new(
        spawn_app_with(Backend::Sqlite, |s| {
            s.limits.replies = OFF;
            s.limits.tickets = OFF;
        })
        .await,
    );
    let DbUrl::Sqlite(live) = app.settings.database_url.clone() else {
        unreachable!()
    };
    // The portal's working directory: its key file and attachments.
    let portal_dir = tempfile::tempdir().unwrap();
    let data = portal_dir.path().join("data");
    std::fs::create_dir_all(data.join("attachments/2026")).unwrap();
    std::fs::write(data.join("attachments/2026/plan.txt"), "the plan").unwrap();
    std::fs::write(data.join("secret.key"), "ab".repeat(64)).unwrap();

    let acks = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    let mut tickets = Vec::new();
    for task in 0..4 {
        let who = app
            .person(
                &format!("writer{task}@example.com"),
                &format!("Writer {task}"),
            )
            .await;
        let ticket = open_ticket(&app, &who).await;
        tickets.push((who.email.clone(), ticket));
        writers.push(tokio::spawn(write_load(
            app.clone(),
            who,
            ticket,
            task,
            acks.clone(),
            stop.clone(),
        )));
    }
    // Under way: then the backup, while the writers go on.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acks.lock().unwrap().len() < 40 {
        assert!(Instant::now() < deadline, "the writers do not get going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("nightly");
    let started = Instant::now();
    let out = {
        let (cwd, live, backup) = (
            portal_dir.path().to_path_buf(),
            live.clone(),
            backup.clone(),
        );
        tokio::task::spawn_blocking(move || {
            agora(&cwd, &live, &["backup", backup.to_str().unwrap()])
        })
        .await
        .unwrap()
    };
    let finished = Instant::now();
    assert!(out.status.success(), "{}", text(&out));
    let during = acks
        .lock()
        .unwrap()
        .iter()
        .filter(|a| a.at > started && a.at < finished)
        .count();
    // Keep writing a little after it, then stop.
    let after = acks.lock().unwrap().len();
    while acks.lock().unwrap().len() < after + 20 {
        assert!(
            Instant::now() < deadline,
            "the writers stopped after the backup"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Restoring over the database the portal has open is refused.
    let refused = {
        let (cwd, live, backup) = (
            portal_dir.path().to_path_buf(),
            live.clone(),
            backup.clone(),
        );
        tokio::task::spawn_blocking(move || {
            agora(&cwd, &live, &["restore", backup.to_str().unwrap()])
        })
        .await
        .unwrap()
    };
    stop.store(true, Ordering::SeqCst);
    let mut errors = Vec::new();
    for w in writers {
        errors.extend(w.await.unwrap());
    }
    assert!(
        errors.is_empty(),
        "writes failed while the backup ran: {errors:?}"
    );
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("in use: stop the portal first"),
        "{}",
        text(&refused)
    );
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let before: Vec<&Ack> = acks.iter().filter(|a| a.at < started).collect();
    assert!(before.len() >= 40);

    // The backup: the copy, the key file, the attachments, the manifest.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["database"], "agora.db");
    assert_eq!(manifest["secret_key"], "secret.key");
    assert_eq!(manifest["attachments"], "attachments");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&backup), 0o700);
        assert_eq!(mode(&backup.join("secret.key")), 0o600);
    }

    // Restored into a fresh place, from another working directory.
    let fresh = tempfile::tempdir().unwrap();
    let restored = fresh.path().join("db/agora.db");
    let restored_url = restored.to_str().unwrap().to_string();
    let out = {
        let (cwd, url, backup) = (
            fresh.path().to_path_buf(),
            restored_url.clone(),
            backup.clone(),
        );
        tokio::task::spawn_blocking(move || {
            agora(&cwd, &url, &["restore", backup.to_str().unwrap()])
        })
        .await
        .unwrap()
    };
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(fresh.path().join("data/secret.key")).unwrap(),
        std::fs::read(data.join("secret.key")).unwrap(),
        "the key file comes back"
    );
    assert_eq!(
        std::fs::read_to_string(fresh.path().join("data/attachments/2026/plan.txt")).unwrap(),
        "the plan"
    );

    let url = restored_url.clone();
    let (integrity, bodies) = tokio::task::spawn_blocking(move || {
        let mut conn = diesel::sqlite::SqliteConnection::establish(&url).unwrap();
        let rows: Vec<Integrity> = diesel::sql_query("PRAGMA integrity_check")
            .load(&mut conn)
            .unwrap();
        use agora::schema::ticket_messages::dsl::*;
        let bodies: std::collections::HashSet<String> = ticket_messages
            .select(body)
            .load(&mut conn)
            .unwrap()
            .into_iter()
            .collect();
        (
            rows.into_iter()
                .map(|r| r.integrity_check)
                .collect::<Vec<_>>(),
            bodies,
        )
    })
    .await
    .unwrap();
    assert_eq!(integrity, ["ok"]);
    let missing: Vec<&str> = before
        .iter()
        .filter(|a| !bodies.contains(&a.body))
        .map(|a| a.body.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} replies acknowledged before the backup are missing: {missing:?}",
        missing.len(),
        before.len()
    );
    let later = acks.iter().filter(|a| a.at > finished).count();
    let later_in = acks
        .iter()
        .filter(|a| a.at > finished && bodies.contains(&a.body))
        .count();
    assert_eq!(later_in, 0, "the copy holds writes made after it was done");
    assert!(later >= 20);
    assert!(during > 0, "no write was answered while the backup ran");
    eprintln!(
        "{} replies acknowledged before the backup, {during} while it ran, {later} after",
        before.len()
    );

    // The restored database opens with the portal, which shows the replies.
    let first = before[0].body.clone();
    let task: usize = first["load reply ".len()..]
        .split('-')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (email, ticket) = tickets[task].clone();
    let reopened = spawn_app_with(Backend::Sqlite, move |s| {
        s.database_url = DbUrl::Sqlite(restored_url);
    })
    .await;
    reopened.login(&email, PASSWORD).await;
    let page = reopened.get(&format!("/me/tickets/{ticket}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_puts_a_backup_back_in_place_once_the_portal_stopped() {
    // The database outlives the app here.
    let cwd = tempfile::tempdir().unwrap();
    let live = cwd
        .path()
        .join("data/agora.db")
        .to_str()
        .unwrap()
        .to_string();
    let url = DbUrl::Sqlite(live.clone());
    let app = spawn_app_with(Backend::Sqlite, move |s| s.database_url = url).await;
    let first = app.person("first@example.com", "First").await;
    let backup = cwd.path().join("b");
    let out = agora(cwd.path(), &live, &["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("secret key: not copied"),
        "{}",
        text(&out)
    );
    app.person("second@example.com", "Second").await;
    let pool = app.pool.clone();
    drop(app);
    drop(pool);
    // The portal is gone (its pool closed): restoring over it is allowed,
    // and the database it had is kept aside.
    let deadline = Instant::now() + Duration::from_secs(10);
    let out = loop {
        let out = agora(cwd.path(), &live, &["restore", backup.to_str().unwrap()]);
        if out.status.success() || Instant::now() > deadline {
            break out;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(out.status.success(), "{}", text(&out));
    let aside = std::fs::read_dir(Path::new(&live).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("agora.db.before-restore-"))
        .expect("the previous database is kept");
    assert!(text(&out).contains(&aside), "{}", text(&out));
    let reopened = spawn_app_with(Backend::Sqlite, |s| {
        s.database_url = DbUrl::Sqlite(live.clone());
    })
    .await;
    let emails = reopened
        .db(|conn| {
            use agora::schema::users::dsl::*;
            users.select(email).load::<String>(conn).unwrap()
        })
        .await;
    assert_eq!(emails, [first.email]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_refuse_what_they_cannot_do_safely() {
    let cwd = tempfile::tempdir().unwrap();
    let dir = cwd.path();
    // PostgreSQL: pg_dump's job, said so; nothing made.
    let pg = "postgres://postgres@127.0.0.1:5432/agora";
    let out = agora(dir, pg, &["backup", "b"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    let out = agora(dir, pg, &["restore", "b"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("pg_restore"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0, "nothing made");

    // No database to copy.
    let out = agora(dir, "missing.db", &["backup", "b"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no SQLite database"), "{}", text(&out));

    let app = spawn_app(Backend::Sqlite).await;
    let DbUrl::Sqlite(live) = app.settings.database_url.clone() else {
        unreachable!()
    };
    // Not into a folder that has something in it.
    std::fs::create_dir(dir.join("full")).unwrap();
    std::fs::write(dir.join("full/keep.txt"), "mine").unwrap();
    let out = agora(dir, &live, &["backup", "full"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("is not empty"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(dir.join("full")).unwrap().count(), 1);

    let target = dir.join("target.db");
    let target = target.to_str().unwrap();
    // A folder without a manifest is not a backup.
    std::fs::create_dir(dir.join("half")).unwrap();
    std::fs::copy(&live, dir.join("half/agora.db")).unwrap();
    let out = agora(dir, target, &["restore", "half"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a complete backup"),
        "{}",
        text(&out)
    );
    // A copy changed after the backup was made is refused.
    let out = agora(dir, &live, &["backup", "good"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut bytes = std::fs::read(dir.join("good/agora.db")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dir.join("good/agora.db"), bytes).unwrap();
    let out = agora(dir, target, &["restore", "good"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("SHA-256 differs"), "{}", text(&out));
    assert!(!Path::new(target).exists(), "nothing restored");
}
