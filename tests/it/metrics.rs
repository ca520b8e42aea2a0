//! `/metrics`: off by default, behind a bearer token on the main listener
//! or alone on a listener of its own, in the Prometheus text format.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, TestApp, bare_client, spawn_app, spawn_app_with};

const TOKEN: &str = "scrape-token-0123456789abcdef";

#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the text exposition format strictly: every line a comment or
/// `name{label="value",...} number`, every sample under a `# TYPE` of its
/// family.
fn parse(body: &str) -> Vec<Sample> {
    let mut typed: HashSet<String> = HashSet::new();
    let mut samples = Vec::new();
    for line in body.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unknown comment: {line}");
        let (series, value) = line.rsplit_once(' ').expect("a value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        let (name, labels) = match series.find('{') {
            Some(i) => {
                let inner = series[i + 1..]
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels: {line}"));
                (&series[..i], parse_labels(inner, line))
            }
            None => (series, BTreeMap::new()),
        };
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(|c: char| c.is_ascii_digit()),
            "bad metric name: {line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains(*f)))
            .unwrap_or(name);
        assert!(typed.contains(family), "no # TYPE before {line}");
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

fn parse_labels(mut s: &str, line: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    while !s.is_empty() {
        let (key, rest) = s
            .split_once("=\"")
            .unwrap_or_else(|| panic!("bad label: {line}"));
        assert!(
            key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad label name: {line}"
        );
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => panic!("bad escape: {line}"),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("unclosed label value: {line}"),
            }
        };
        labels.insert(key.to_string(), value);
        s = &rest[end + 1..];
        s = s.strip_prefix(',').unwrap_or(s);
    }
    labels
}

/// The value of the one sample with this name and these labels (and any
/// others).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?}");
    found[0].value
}

async fn scrape(client: &reqwest::Client, url: &str, token: Option<&str>) -> reqwest::Response {
    let req = client.get(url);
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send().await.unwrap()
}

async fn session_rows(app: &TestApp) -> i64 {
    app.db(|c| {
        agora::schema::sessions::table
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
    .await
}

/// A ticket whose first response was due `due_in` from now.
async fn ticket_due(app: &TestApp, requester: i64, due_in: time::Duration) {
    app.db(move |c| {
        use agora::models::tickets;
        let cfg = tickets::sla_config(c).unwrap();
        let t = agora::db::write_tx(c, |c| {
            tickets::create(
                c,
                &tickets::NewTicket {
                    requester_id: requester,
                    partner_id: None,
                    listing_id: None,
                    subject: "Where is my walker?",
                    body: "Nobody came.",
                    priority: agora::domain::ticket::Priority::Normal,
                },
                &cfg,
            )
        })
        .unwrap();
        diesel::update(agora::schema::tickets::table.find(t.id))
            .set(agora::schema::tickets::first_response_due.eq(Some(agora::models::now() + due_in)))
            .execute(c)
            .unwrap();
    })
    .await
}

/// A message in the outbox with this status, queued `age` ago, that the
/// mail worker will not touch (its next attempt is a day away).
async fn outbox_message(app: &TestApp, status: &'static str, age: time::Duration) {
    app.db(move |c| {
        use agora::schema::outgoing_email as o;
        let email = agora::models::outbox::NewEmail {
            to: "someone@example.com".into(),
            subject: "Held back".into(),
            text: "Text".into(),
            html: "<p>Text</p>".into(),
            in_reply_to: None,
            references: None,
            unsubscribe: None,
            reply_to: None,
            sensitive: false,
        };
        let id = agora::models::outbox::enqueue(c, "agora.test", &email).unwrap();
        let now = agora::models::now();
        diesel::update(o::table.filter(o::message_id.eq(id)))
            .set((
                o::status.eq(status),
                o::created_at.eq(now - age),
                o::next_attempt_at.eq(now + time::Duration::days(1)),
            ))
            .execute(c)
            .unwrap();
    })
    .await
}

async fn metrics_need_the_token_and_show_what_happened(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.metrics_token = Some(TOKEN.into())).await;
    let owner = app.person("metrics-owner@example.com", "Owner").await;
    let (pid, pslug) = app.partner("Metrics Walkers", &owner).await;
    let (_, slug) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let listing_views = 3;
    for _ in 0..listing_views {
        let page = app
            .get_with(&bare_client(), &format!("/listings/{slug}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let customers = app
        .get_with(&owner.client, &format!("/partner/{pslug}/customers"))
        .await;
    assert_eq!(customers.status, StatusCode::OK);
    let missing = app.get_with(&bare_client(), "/no/such/page-42").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    outbox_message(&app, "queued", time::Duration::hours(2)).await;
    outbox_message(&app, "failed", time::Duration::minutes(1)).await;
    // Two webhook deliveries to an endpoint that is off: one waiting since
    // an hour ago, one failed.
    let owner_id = owner.id;
    app.db(move |c| {
        use agora::models::webhooks;
        let kind = agora::webhooks::EventType::ListingStatusChanged;
        let (eid, _) =
            webhooks::create(c, pid, "http://127.0.0.1:9/hook", "", &[kind], owner_id).unwrap();
        webhooks::set_enabled(c, pid, eid, false, None).unwrap();
        let ev = webhooks::QueuedEvent {
            event_id: "msg_metrics".into(),
            kind,
            payload: "{}".into(),
            redacted: None,
            customer_id: None,
        };
        webhooks::enqueue(c, &[eid, eid], pid, &ev).unwrap();
        use agora::schema::webhook_deliveries::dsl::*;
        let ids: Vec<i64> = webhook_deliveries
            .select(id)
            .order(id.asc())
            .load(c)
            .unwrap();
        diesel::update(webhook_deliveries.find(ids[0]))
            .set(created_at.eq(agora::models::now() - time::Duration::hours(1)))
            .execute(c)
            .unwrap();
        diesel::update(webhook_deliveries.find(ids[1]))
            .set(status.eq("failed"))
            .execute(c)
            .unwrap();
    })
    .await;
    ticket_due(&app, owner.id, -time::Duration::minutes(5)).await;
    ticket_due(&app, owner.id, time::Duration::minutes(30)).await;
    ticket_due(&app, owner.id, time::Duration::hours(5)).await;

    let url = app.url("/metrics");
    let sessions_before = session_rows(&app).await;
    for token in [None, Some("wrong-token-0123456789abcdef"), Some("")] {
        let res = scrape(&bare_client(), &url, token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        let challenge = res.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(res.headers().get("set-cookie").is_none());
    }
    // A signed-in person's session does not open them either.
    let res = owner.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let res = scrape(&bare_client(), &url, Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(res.headers().get("set-cookie").is_none());
    let body = res.text().await.unwrap();
    // A scrape by anyone without a session writes nothing.
    assert_eq!(session_rows(&app).await, sessions_before);

    let samples = parse(&body);
    let route = [("route", "/listings/{slug}"), ("method", "GET")];
    let ok = value(
        &samples,
        "agora_http_requests_total",
        &[route[0], route[1], ("status", "200")],
    );
    assert!(ok >= listing_views as f64, "{body}");
    let inf = value(
        &samples,
        "agora_http_request_duration_seconds_bucket",
        &[route[0], route[1], ("le", "+Inf")],
    );
    let count = value(
        &samples,
        "agora_http_request_duration_seconds_count",
        &route,
    );
    assert_eq!(inf, count);
    assert!(count >= listing_views as f64);
    let fast = value(
        &samples,
        "agora_http_request_duration_seconds_bucket",
        &[route[0], route[1], ("le", "0.001")],
    );
    assert!(fast <= inf);
    assert!(value(&samples, "agora_http_request_duration_seconds_sum", &route) > 0.0);
    // Unknown paths share one label; no raw path becomes a series.
    assert!(
        value(
            &samples,
            "agora_http_requests_total",
            &[("route", "unmatched"), ("method", "GET"), ("status", "404")],
        ) >= 1.0
    );
    assert_eq!(
        value(
            &samples,
            "agora_http_requests_total",
            &[
                ("route", "/partner/{slug}/customers"),
                ("method", "GET"),
                ("status", "200"),
            ],
        ),
        1.0
    );
    assert!(
        !body.contains(&slug) && !body.contains(&pslug) && !body.contains("page-42"),
        "{body}"
    );
    // The scrapes themselves are not counted.
    assert!(!body.contains("route=\"/metrics\""));

    assert_eq!(value(&samples, "agora_db_pool_max_connections", &[]), 4.0);
    let in_use = value(
        &samples,
        "agora_db_pool_connections",
        &[("state", "in_use")],
    );
    let idle = value(&samples, "agora_db_pool_connections", &[("state", "idle")]);
    assert!(in_use + idle >= 1.0 && in_use + idle <= 4.0);
    assert!(value(&samples, "agora_db_pool_checkouts_total", &[]) >= 1.0);
    value(&samples, "agora_db_pool_wait_seconds_total", &[]);
    assert_eq!(value(&samples, "agora_db_pool_timeouts_total", &[]), 0.0);
    assert_eq!(value(&samples, "agora_database_up", &[]), 1.0);

    let queued = |status| value(&samples, "agora_outbox_messages", &[("status", status)]);
    assert_eq!(queued("queued"), 1.0, "{body}");
    assert_eq!(queued("failed"), 1.0);
    let age = value(&samples, "agora_outbox_oldest_queued_age_seconds", &[]);
    assert!((7200.0..7300.0).contains(&age), "{age}");

    let hooks = |status| value(&samples, "agora_webhook_deliveries", &[("status", status)]);
    assert_eq!(
        (hooks("queued"), hooks("sending"), hooks("failed")),
        (1.0, 0.0, 1.0)
    );
    let age = value(&samples, "agora_webhook_oldest_waiting_age_seconds", &[]);
    assert!((3600.0..3700.0).contains(&age), "{age}");

    assert!(value(&samples, "agora_sessions_live", &[]) >= 1.0);
    assert_eq!(value(&samples, "agora_sla_breaches_open", &[]), 1.0);
    assert_eq!(value(&samples, "agora_sla_breaching_tickets", &[]), 2.0);
    assert_eq!(
        value(
            &samples,
            "agora_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );

    // The counts go on: three more views show in the next scrape.
    for _ in 0..3 {
        app.get_with(&bare_client(), &format!("/listings/{slug}"))
            .await;
    }
    let body = scrape(&bare_client(), &url, Some(TOKEN))
        .await
        .text()
        .await
        .unwrap();
    let again = value(
        &parse(&body),
        "agora_http_requests_total",
        &[route[0], route[1], ("status", "200")],
    );
    assert_eq!(again, ok + 3.0);
}
both!(metrics_need_the_token_and_show_what_happened);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_by_default() {
    let app = spawn_app(Backend::Sqlite).await;
    for token in [None, Some(TOKEN)] {
        let res = scrape(&bare_client(), &app.url("/metrics"), token).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // The portal's own 404 page, as for any unknown address.
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_listener_need_no_token() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics_bind = Some("127.0.0.1:0".into())
    })
    .await;
    let metrics = app.metrics_address.clone().expect("a metrics listener");
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    for token in [None, Some(TOKEN)] {
        let res = scrape(&bare_client(), &app.url("/metrics"), token).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "main listener");
    }
    let res = scrape(&bare_client(), &format!("{metrics}/metrics"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let samples = parse(&res.text().await.unwrap());
    let home = value(
        &samples,
        "agora_http_requests_total",
        &[("route", "/"), ("method", "GET"), ("status", "200")],
    );
    assert!(home >= 1.0);
    // The main listener's 404s are counted; the metrics listener's own
    // requests are not.
    assert!(
        value(
            &samples,
            "agora_http_requests_total",
            &[("route", "unmatched"), ("method", "GET"), ("status", "404")],
        ) >= 2.0
    );
    let other = scrape(&bare_client(), &format!("{metrics}/"), None).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let res = scrape(&bare_client(), &format!("{metrics}/metrics"), None).await;
    let unmatched = value(
        &parse(&res.text().await.unwrap()),
        "agora_http_requests_total",
        &[("route", "unmatched"), ("method", "GET"), ("status", "404")],
    );
    assert_eq!(unmatched, 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_the_own_listener_too() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics_bind = Some("127.0.0.1:0".into());
        s.metrics_token = Some(TOKEN.into());
    })
    .await;
    let metrics = format!("{}/metrics", app.metrics_address.clone().unwrap());
    let res = scrape(&bare_client(), &metrics, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = scrape(&bare_client(), &metrics, Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = scrape(&bare_client(), &app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
