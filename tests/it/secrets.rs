//! Secrets at rest and on the wire, and the protocol edges: the outbox
//! keeps no live link, CSRF tokens are masked per form, odd methods and
//! slow bodies cannot hold a connection, HEAD is answered, cookies are
//! `Secure` under https.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both;
use crate::helpers::{Backend, bare_client, csrf_in, spawn_app, spawn_app_with};

const PASSWORD: &str = "lantern ocean maple";

#[derive(Debug, Queryable)]
struct Stored {
    subject: String,
    body_text: String,
    body_html: String,
    status: String,
    sensitive: bool,
    redacted: bool,
}

async fn stored_mail(app: &crate::helpers::TestApp) -> Vec<Stored> {
    app.db(|conn| {
        use agora::schema::outgoing_email::dsl::*;
        outgoing_email
            .order(id.asc())
            .select((
                subject,
                body_text,
                body_html,
                status,
                sensitive,
                redacted_at.is_not_null(),
            ))
            .load::<Stored>(conn)
            .unwrap()
    })
    .await
}

/// Waits until every queued message has been marked sent.
async fn all_sent(app: &crate::helpers::TestApp) -> Vec<Stored> {
    for _ in 0..100 {
        let rows = stored_mail(app).await;
        if !rows.is_empty() && rows.iter().all(|r| r.status == "sent") {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox did not drain: {:?}", stored_mail(app).await);
}

/// A message to bo@example.com that carries no secret.
fn plain_email(subject: &str, text: &str, html: &str) -> agora::models::outbox::NewEmail {
    agora::models::outbox::NewEmail {
        to: "bo@example.com".into(),
        subject: subject.into(),
        text: text.into(),
        html: html.into(),
        in_reply_to: None,
        references: None,
        unsubscribe: None,
        reply_to: None,
        sensitive: false,
    }
}

async fn sent_links_are_not_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .post(
            "/signup",
            &[
                ("email", "ann@example.com"),
                ("display_name", "Ann Meyer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let mail = app.mail.wait_for("ann@example.com", 1).await;
    let link = mail.link(&app.url("/verify/"));
    let token = link.rsplit('/').next().unwrap().to_string();
    assert!(token.len() > 16, "a token in {link}");

    // The verification was delivered, then its bodies were removed.
    let rows = all_sent(&app).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sensitive && rows[0].redacted);
    assert_eq!(rows[0].subject, mail.subject);
    assert!(rows[0].body_text.is_empty() && rows[0].body_html.is_empty());

    // The link still works for its owner, from the email.
    let path = link.strip_prefix(&app.address).unwrap();
    assert_eq!(app.get(path).await.status, StatusCode::OK);

    // A password reset: delivered, not kept.
    let page = app
        .post("/password/forgot", &[("email", "ann@example.com")])
        .await;
    assert!(page.status.is_success() || page.status == StatusCode::SEE_OTHER);
    let reset = app.mail.wait_for("ann@example.com", 2).await;
    let reset_link = reset.link(&app.url("/password/reset/"));
    let reset_token = reset_link.rsplit('/').next().unwrap().to_string();
    let rows = all_sent(&app).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(!row.body_text.contains(&token) && !row.body_html.contains(&token));
        assert!(!row.body_text.contains(&reset_token) && !row.body_html.contains(&reset_token));
    }
    assert!(rows.iter().all(|r| r.sensitive && r.redacted));

    // Mail without a secret keeps its text (the admin can read what went out).
    app.db(|conn| {
        let email = plain_email("Plain", "Nothing secret here", "<p>Nothing secret here</p>");
        agora::models::outbox::enqueue(conn, "agora.test", &email).unwrap();
    })
    .await;
    app.mail.wait_for("bo@example.com", 1).await;
    let rows = all_sent(&app).await;
    let plain = rows.iter().find(|r| r.subject == "Plain").unwrap();
    assert!(!plain.sensitive && !plain.redacted);
    assert_eq!(plain.body_text, "Nothing secret here");
}
both!(sent_links_are_not_kept);

async fn sent_mail_is_deleted_after_the_retention(backend: Backend) {
    let app = spawn_app(backend).await;
    app.db(|conn| {
        for (subject, days) in [("old", 31), ("recent", 29)] {
            let email = plain_email(subject, "t", "h");
            agora::models::outbox::enqueue(conn, "agora.test", &email).unwrap();
            use agora::schema::outgoing_email::dsl as o;
            diesel::update(o::outgoing_email.filter(o::subject.eq(subject)))
                .set((
                    o::status.eq("sent"),
                    o::sent_at.eq(agora::models::now() - time::Duration::days(days)),
                ))
                .execute(conn)
                .unwrap();
        }
        // A message that failed for good goes after the retention too.
        let email = plain_email("ancient", "t", "h");
        agora::models::outbox::enqueue(conn, "agora.test", &email).unwrap();
        diesel::sql_query("UPDATE outgoing_email SET status = 'failed' WHERE subject = 'ancient'")
            .execute(conn)
            .unwrap();
        {
            use agora::schema::outgoing_email::dsl as o;
            diesel::update(o::outgoing_email.filter(o::subject.eq("ancient")))
                .set(o::created_at.eq(agora::models::now() - time::Duration::days(31)))
                .execute(conn)
                .unwrap();
        }
        // A failed message is kept for the admin to retry for as long.
        diesel::sql_query("UPDATE outgoing_email SET status = 'failed' WHERE subject = 'recent'")
            .execute(conn)
            .unwrap();
        let email = plain_email("recent", "t", "h");
        agora::models::outbox::enqueue(conn, "agora.test", &email).unwrap();
        use agora::schema::outgoing_email::dsl as o;
        diesel::update(
            o::outgoing_email
                .filter(o::subject.eq("recent"))
                .filter(o::status.eq("queued")),
        )
        .set((
            o::status.eq("sent"),
            o::sent_at.eq(agora::models::now() - time::Duration::days(29)),
        ))
        .execute(conn)
        .unwrap();
    })
    .await;
    let options = agora::maintenance::PassOptions {
        session_absolute: time::Duration::days(14),
        recount_views: false,
        outbox_retention: time::Duration::days(30),
        webhook_retention: time::Duration::days(30),
    };
    // The instance's own first pass may hold the lock for a moment.
    let mut ran = false;
    for _ in 0..50 {
        ran = app
            .db(move |conn| agora::maintenance::run_pass(conn, options).unwrap())
            .await;
        if ran {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ran, "the clean-up pass never ran");
    let mut left: Vec<(String, String)> = app
        .db(|conn| {
            use agora::schema::outgoing_email::dsl::*;
            outgoing_email.select((subject, status)).load(conn).unwrap()
        })
        .await;
    left.sort();
    assert_eq!(
        left,
        [
            ("recent".to_string(), "failed".to_string()),
            ("recent".to_string(), "sent".to_string())
        ]
    );
}
both!(sent_mail_is_deleted_after_the_retention);

fn all_tokens(body: &str) -> Vec<String> {
    let marker = "name=\"csrf\" value=\"";
    body.match_indices(marker)
        .map(|(i, _)| {
            body[i + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Posts the language switch with `token` as the form's CSRF value.
async fn switch_language(app: &crate::helpers::TestApp, token: &str, lang: &str) -> StatusCode {
    app.client
        .post(app.url("/lang"))
        .form(&[("csrf", token), ("lang", lang), ("next", "/")])
        .send()
        .await
        .unwrap()
        .status()
}

async fn csrf_tokens_are_masked_per_form(backend: Backend) {
    let app = spawn_app(backend).await;
    // Anonymous: every form of every page carries a different value, all
    // standing for the same token, which itself never appears.
    let first = app.get("/login").await;
    let second = app.get("/login").await;
    let mut tokens = all_tokens(&first.body);
    tokens.extend(all_tokens(&second.body));
    assert!(tokens.len() >= 3, "forms on the sign-in page: {tokens:?}");
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tokens.len(), "masks repeat: {tokens:?}");
    let raw = agora::auth::csrf::unmask(&tokens[0]).unwrap();
    for t in &tokens {
        assert_eq!(agora::auth::csrf::unmask(t).unwrap(), raw);
    }
    assert!(!first.body.contains(&raw) && !second.body.contains(&raw));

    // Any of the masks is accepted; the bare token and a changed mask are not.
    assert_eq!(
        switch_language(&app, &tokens[0], "zh-CN").await,
        StatusCode::SEE_OTHER
    );
    for bad in [
        raw.clone(),
        format!("{}A", &tokens[1][..tokens[1].len() - 1]),
    ] {
        assert_eq!(
            switch_language(&app, &bad, "en-US").await,
            StatusCode::FORBIDDEN,
            "{bad}"
        );
    }

    // Signed in: the session's token is masked the same way.
    app.create_user("ann@example.com", "Ann", PASSWORD, true)
        .await;
    assert_eq!(
        app.login("ann@example.com", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let me = app.get("/me").await;
    let tokens = all_tokens(&me.body);
    assert!(!tokens.is_empty());
    let raw = agora::auth::csrf::unmask(&tokens[0]).unwrap();
    assert!(!me.body.contains(&raw));
    assert_eq!(
        switch_language(&app, &tokens[0], "en-US").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        switch_language(&app, &raw, "en-US").await,
        StatusCode::FORBIDDEN
    );
}
both!(csrf_tokens_are_masked_per_form);

/// Sends `request` on a raw connection and returns what came back before
/// the server closed it (or `limit` passed).
async fn raw_exchange(address: &str, request: &str, limit: Duration) -> (String, bool) {
    let host = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&got).into_owned(), closed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_methods_and_slow_bodies_cannot_hold_a_connection() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.body_timeout = Duration::from_secs(1);
    })
    .await;
    let started = std::time::Instant::now();
    let (answer, closed) = raw_exchange(
        &app.address,
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(closed, "the connection stays open after CONNECT");
    assert!(started.elapsed() < Duration::from_secs(3));

    for method in ["PUT", "DELETE", "TRACE", "PATCH"] {
        let res = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                app.url("/"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(res.headers()["allow"], "GET, HEAD, POST, OPTIONS");
    }

    // A POST whose body never comes: 408 after the body timeout, closed.
    let started = std::time::Instant::now();
    let (answer, closed) = raw_exchange(
        &app.address,
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nemail=a",
        Duration::from_secs(6),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(closed, "the connection stays open after the body timeout");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );

    // A normal form still goes through.
    let page = app.get("/login").await;
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_in(&page.body).as_str()),
            ("email", "nobody@example.com"),
            ("password", "wrong password here"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn head_is_answered_wherever_get_is(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/healthz", "/", "/listings", "/login", "/static/app.css"] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let get_status = get.status();
        let get_type = get.headers()["content-type"].clone();
        let res = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), get_status, "HEAD {path}");
        assert_eq!(res.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(res.headers()["content-type"], get_type, "HEAD {path}");
        assert!(
            res.bytes().await.unwrap().is_empty(),
            "HEAD {path} has a body"
        );
    }
    let res = app
        .client
        .head(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // HEAD writes nothing a GET would not: still no session.
    let sessions = app
        .db(|conn| {
            use agora::schema::sessions::dsl::*;
            sessions.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(sessions, 0);

    // A monitor's HEAD on a listing is not a visit: only the GET counts.
    let owner = app.person("lo@example.com", "Lo").await;
    let (pid, _) = app.partner("Head Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Morning swim", "Laps.", true).await;
    let path = format!("/listings/{lslug}");
    for _ in 0..3 {
        let res = app.client.head(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(app.get(&path).await.status, StatusCode::OK);
    assert_eq!(app.wait_for_views(lid, 1).await, 1);
}
both!(head_is_answered_wherever_get_is);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_cookie_is_secure_under_https() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.base_url = "https://agora.test".into();
    })
    .await;
    let client = bare_client();
    let res = client.get(app.url("/login")).send().await.unwrap();
    let nonce = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-agora_csrf="))
        .expect("the anonymous nonce cookie");
    assert!(nonce.contains("Secure"), "{nonce}");
    let nonce = nonce.split(';').next().unwrap().to_string();
    let body = res.text().await.unwrap();
    let res = client
        .post(app.url("/lang"))
        .header("cookie", nonce)
        .form(&[
            ("csrf", csrf_in(&body).as_str()),
            ("lang", "zh-CN"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let lang = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("lang="))
        .expect("the language cookie");
    assert!(lang.contains("Secure"), "{lang}");
    assert!(lang.contains("HttpOnly"), "{lang}");
}
