use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, bare_client, new_client, spawn_app};

const PASSWORD: &str = "lantern ocean maple";

async fn queued_mail_survives_an_smtp_outage(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("jo@example.com", "Jo", PASSWORD, true)
        .await;
    app.mail.stop();
    app.post("/password/forgot", &[("email", "jo@example.com")])
        .await;
    // Let the worker fail at least twice.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = app
            .db(|conn| agora::models::outbox::all(conn).unwrap())
            .await;
        assert_eq!(rows.len(), 1);
        if rows[0].attempts >= 2 {
            assert!(["queued", "sending"].contains(&rows[0].status.as_str()));
            assert!(rows[0].last_error.is_some());
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no retry happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app.mail.all().is_empty());
    app.mail.resume();
    let mail = app.mail.wait_for("jo@example.com", 1).await;
    assert_eq!(mail.subject, "Reset your Agora password");
    // Give a duplicate every chance to show up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.mail.to("jo@example.com").len(), 1);
    let rows = app
        .db(|conn| agora::models::outbox::all(conn).unwrap())
        .await;
    assert_eq!(rows[0].status, "sent");
    assert!(rows[0].sent_at.is_some());
    assert_eq!(rows[0].message_id, mail.message_id);
}
both!(queued_mail_survives_an_smtp_outage);

async fn concurrent_claimers_never_share_a_message(backend: Backend) {
    let app = spawn_app(backend).await;
    // Stop this app's own worker from taking them: its SMTP is down and
    // it would only requeue; we claim directly.
    app.mail.stop();
    let url = app.settings.database_url.clone();
    app.db(|conn| {
        for i in 0..40 {
            let email = agora::models::outbox::NewEmail {
                to: format!("n{i}@example.com"),
                subject: "s".into(),
                text: "t".into(),
                html: "h".into(),
                in_reply_to: None,
                references: None,
                unsubscribe: None,
                reply_to: None,
                sensitive: false,
            };
            agora::models::outbox::enqueue(conn, "agora.test", &email).unwrap();
        }
    })
    .await;
    let mut handles = Vec::new();
    for _ in 0..4 {
        let url = url.clone();
        handles.push(std::thread::spawn(move || {
            let pool = crate::helpers::pool_of(&url);
            let mut conn = pool.get().unwrap();
            let mut mine = Vec::new();
            for _ in 0..20 {
                let got = agora::models::outbox::claim(&mut conn, 3, time::Duration::minutes(10))
                    .unwrap();
                mine.extend(got.into_iter().map(|m| m.id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.join().unwrap());
    }
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "a message was claimed twice");
    // Every message was claimed by someone (the app's worker may have some).
    let rows = app
        .db(|conn| agora::models::outbox::all(conn).unwrap())
        .await;
    assert_eq!(rows.len(), 40);
}
both!(concurrent_claimers_never_share_a_message);

async fn every_response_has_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/", "/nope", "/static/app.css", "/healthz", "/login"] {
        let page = app.get(path).await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(page.headers.contains_key("referrer-policy"), "{path}");
        assert!(
            !page.headers.contains_key("strict-transport-security"),
            "{path}"
        );
    }
    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains("Page not found");
    missing.assert_contains("<link rel=\"stylesheet\"");
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    // Cookies: HttpOnly, SameSite=Lax, not Secure on plain-http loopback:
    // the anonymous CSRF nonce, then the session made at sign-in.
    let home = app.get_with(&bare_client(), "/").await;
    let cookie = home.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("agora_csrf="), "{cookie}");
    let user = app.person("cookies@example.com", "Cookie").await;
    let (client, _) = new_client();
    let token = app.csrf_with(&client).await;
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", user.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("agora_session="))
        .expect("a session cookie at sign-in");
    for cookie in [cookie, session.as_str()] {
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "{cookie}");
    }
}
both!(every_response_has_security_headers);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_input_is_refused_cleanly() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.csrf_with(&app.client).await;
    let big = "x".repeat(300 * 1024);
    let res = app
        .client
        .post(app.url("/signup"))
        .form(&[("csrf", token.as_str()), ("email", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("Too much data"));
    // Not a form at all.
    let res = app
        .client
        .post(app.url("/signup"))
        .header("content-type", "application/json")
        .header("x-csrf-token", token.as_str())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A bad percent-escape in a path.
    let page = app.get("/verify/%FF%FE").await;
    assert!(page.status.is_client_error());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_errors_show_a_request_id() {
    let app = spawn_app(Backend::Sqlite).await;
    app.db(|conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("DROP TABLE listings").unwrap();
    })
    .await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let id = page.headers["x-request-id"].to_str().unwrap().to_string();
    page.assert_contains("Something went wrong");
    page.assert_contains(&format!("Reference: {id}"));
    assert!(!page.body.contains("no such table"), "no SQL shown");
    assert!(!page.body.contains("SELECT"), "no SQL shown");
}

async fn migrations_run_down_and_up_again(backend: Backend) {
    // On a database of its own, with no app running against it.
    let (_db, url) = crate::helpers::TestDb::create(backend);
    tokio::task::spawn_blocking(move || {
        use diesel_migrations::MigrationHarness;
        let pool = crate::helpers::pool_of(&url);
        let mut conn = pool.get().unwrap();
        agora::db::run_migrations(&mut conn).unwrap();
        match &mut **conn {
            agora::db::AnyConnection::Sqlite(c) => {
                c.revert_all_migrations(agora::db::SQLITE_MIGRATIONS)
                    .unwrap();
            }
            agora::db::AnyConnection::Postgres(c) => {
                c.revert_all_migrations(agora::db::POSTGRES_MIGRATIONS)
                    .unwrap();
            }
        }
        agora::db::run_migrations(&mut conn).unwrap();
        // The seeded SLA rows are back after the round trip.
        let cfg = agora::models::tickets::sla_config(&mut conn).unwrap();
        assert_eq!(
            cfg.targets(agora::domain::ticket::Priority::Urgent),
            (60, 240)
        );
    })
    .await
    .unwrap();
}
both!(migrations_run_down_and_up_again);

fn run_binary(envs: &[(&str, &str)], args: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(dir.path())
        .args(args)
        .env_remove("DATABASE_URL");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.env("AGORA_SECRET_KEY", "0123456789abcdef0123456789abcdef-test");
    let out = cmd.output().unwrap();
    (out, dir)
}

#[test]
fn bad_database_url_exits_cleanly() {
    for url in [
        "postgress://oops/agora",
        "mysql://localhost/agora",
        "sqlite://",
    ] {
        let (out, dir) = run_binary(&[("DATABASE_URL", url)], &["migrate"]);
        assert!(!out.status.success(), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "one line for {url}: {err}");
        assert!(err.contains("DATABASE_URL"), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "nothing created for {url}");
    }
    let (out, _dir) = run_binary(
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/agora")],
        &["migrate"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the database"), "{err}");
}

#[test]
fn admin_create_reads_the_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let db_url = format!("sqlite://{}", db.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .current_dir(dir.path())
        .args(["admin", "create", "--email", "root@example.com"])
        .env("DATABASE_URL", &db_url)
        .env("AGORA_SECRET_KEY", "0123456789abcdef0123456789abcdef-test")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long admin password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = agora::db::DbUrl::parse(&db_url).unwrap();
    let pool = crate::helpers::pool_of(&url);
    let mut conn = pool.get().unwrap();
    let user = agora::models::users::by_email(&mut conn, "root@example.com")
        .unwrap()
        .unwrap();
    assert!(user.is_admin && user.is_staff && user.is_verified());
    assert!(agora::auth::password::verify_blocking(
        "a long admin password",
        &user.password_hash
    ));
}

#[test]
fn demo_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("d.db").display());
    let (out, _d) = run_binary(&[("DATABASE_URL", &db_url)], &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("admin@agora.example"));
    let (out, _d) = run_binary(&[("DATABASE_URL", &db_url)], &["demo"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already has data"));
}

fn catalogue_keys(lang: &str) -> BTreeSet<String> {
    let dir = format!("templates/locales/{lang}");
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some((key, _)) = line.split_once(" =")
                && !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                keys.insert(key.to_string());
            }
        }
    }
    keys
}

#[test]
fn catalogues_have_the_same_keys() {
    let en = catalogue_keys("en-US");
    let zh = catalogue_keys("zh-CN");
    assert!(en.len() > 50);
    let only_en: Vec<_> = en.difference(&zh).collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
    assert!(only_zh.is_empty(), "missing in en-US: {only_zh:?}");
}

#[test]
fn every_key_used_in_code_exists() {
    let en = catalogue_keys("en-US");
    let mut missing = Vec::new();
    let mut stack = vec![
        std::path::PathBuf::from("src"),
        std::path::PathBuf::from("templates"),
    ];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for pat in [
            ".t(\"",
            ".t1(\"",
            ".tn(\"",
            ".t_args(\"",
            "flash(\"success\", \"",
            ".targs(\"",
        ] {
            for (i, _) in text.match_indices(pat) {
                let rest = &text[i + pat.len()..];
                let key = rest.split('"').next().unwrap();
                if key.contains('-') && !en.contains(key) {
                    missing.push(format!("{}: {key}", p.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "keys not in the catalogue: {missing:?}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .current_dir(dir.path())
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("AGORA_BIND", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Ready once it has said where it serves.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    while !out.contains("outgoing email") {
        use std::io::BufRead;
        let n = stdout.read_line(&mut out).unwrap();
        assert!(n > 0, "server ended early: {out}");
    }
    // First start made the database and the key; nothing else.
    assert!(dir.path().join("data/agora.db").exists());
    assert!(dir.path().join("data/secret.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    assert!(out.contains(&format!("http://127.0.0.1:{port}")), "{out}");
    assert!(out.contains("outgoing email"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_fails_when_the_database_is_gone() {
    let app = spawn_app(Backend::Postgres).await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let url = app.settings.database_url.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let agora::db::DbUrl::Postgres(url) = url else {
            unreachable!()
        };
        let name = url.rsplit('/').next().unwrap().to_string();
        let mut admin = diesel::pg::PgConnection::establish(&crate::helpers::admin_url()).unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
    })
    .await
    .unwrap();
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// Runs `agora serve` with `envs`, asks for a missing page, stops it, and
/// returns what it wrote to standard output and the request's id.
async fn serve_one_request(envs: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(dir.path())
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env_remove("AGORA_LOG")
        .env_remove("AGORA_LOG_FORMAT")
        .env("AGORA_BIND", format!("127.0.0.1:{port}"))
        .env("AGORA_SECRET_KEY", "0123456789abcdef0123456789abcdef-test")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut out = String::new();
    while !out.contains("outgoing email") {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("server did not start: {out}"));
        out.push_str(&line);
        out.push('\n');
    }
    let res = crate::helpers::bare_client()
        .get(format!("http://127.0.0.1:{port}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    // The request's log line comes as the response goes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    for line in rx.try_iter() {
        out.push_str(&line);
        out.push('\n');
    }
    (out, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_plain_off_a_terminal_and_json_when_asked() {
    let (out, id) = serve_one_request(&[]).await;
    assert!(!out.contains('\u{1b}'), "escape codes in the log: {out:?}");
    let line = out
        .lines()
        .find(|l| l.contains("handled") && l.contains(&id))
        .unwrap_or_else(|| panic!("no line for request {id}: {out}"));
    assert!(line.contains("status=404"), "{line}");

    let (out, id) = serve_one_request(&[("AGORA_LOG_FORMAT", "json")]).await;
    assert!(!out.contains('\u{1b}'), "escape codes in the log: {out:?}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!events.is_empty(), "{out}");
    let handled = events
        .iter()
        .find(|e| e["fields"]["message"] == "handled" && e["span"]["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no JSON event for request {id}: {out}"));
    assert_eq!(handled["fields"]["status"], 404);
    assert_eq!(handled["level"], "INFO");
    assert!(handled["timestamp"].is_string());
}
