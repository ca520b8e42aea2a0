//! Webhooks: endpoints kept at /partner/{slug}/webhooks, deliveries signed
//! per the Standard Webhooks specification and checked here by a receiver
//! that verifies them as the specification says, retries while the
//! receiver is down and one delivery once it is back, an endpoint turned
//! off after failing, secret rotation, addresses of inner networks refused
//! at save and at delivery, the delivery log and "send again".

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Sha256;

use crate::both;
use crate::helpers::{Backend, Page, Person, TestApp, spawn_app, spawn_app_with};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_string()
    }
}

/// Verifies a delivery as the Standard Webhooks specification says: the
/// timestamp within five minutes of now, and one of the space-separated
/// `v1,` signatures equal to the base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the secret's
/// base64-decoded bytes (after `whsec_`).
pub fn verify(secret: &str, hit: &Hit) -> bool {
    let Ok(ts) = hit.timestamp.parse::<i64>() else {
        return false;
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if (now - ts).abs() > 300 {
        return false;
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", hit.id, hit.timestamp, hit.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    hit.signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

#[derive(Clone, Default)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    failures: Arc<AtomicUsize>,
}

/// A webhook receiver on a loopback port.
pub struct Receiver {
    pub port: u16,
    shared: Shared,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn receive(req: HttpRequest, body: String, shared: web::Data<Shared>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    shared.hits.lock().unwrap().push(Hit {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let failing = shared
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        HttpResponse::ServiceUnavailable().body("down for maintenance")
    } else {
        HttpResponse::Ok().body("thanks")
    }
}

impl Receiver {
    /// A free loopback port, for a receiver started later.
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub async fn start() -> Receiver {
        Receiver::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Receiver {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Shared::default();
        let data = web::Data::new(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            port,
            shared,
            handle,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Answers the next `n` requests with 503.
    pub fn fail_next(&self, n: usize) {
        self.shared.failures.store(n, Ordering::SeqCst);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `ok` holds of what was received.
    pub async fn wait_until(&self, what: &str, ok: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        for _ in 0..200 {
            let hits = self.hits();
            if ok(&hits) {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("receiver never saw {what}: {:#?}", self.hits());
    }

    /// Waits for a delivery of this event type and returns the first.
    pub async fn wait_for(&self, kind: &str) -> Hit {
        let hits = self
            .wait_until(kind, |h| h.iter().any(|h| h.kind() == kind))
            .await;
        hits.into_iter().find(|h| h.kind() == kind).unwrap()
    }
}

/// The signing secret a webhook page shows once.
pub fn webhook_secret_in(page: &Page) -> String {
    let start = page
        .body
        .find("value=\"whsec_")
        .unwrap_or_else(|| panic!("no webhook secret on {}:\n{}", page.url, page.body))
        + 7;
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_string()
}

/// The endpoint id of an endpoint page.
fn endpoint_id_in(page: &Page) -> i64 {
    let i = page.body.find("/rotate\"").expect("an endpoint page");
    let head = &page.body[..i];
    let start = head.rfind('/').unwrap() + 1;
    head[start..].parse().unwrap()
}

/// Adds an endpoint through the form; returns its id and secret.
pub async fn add_endpoint(
    app: &TestApp,
    owner: &Person,
    slug: &str,
    url: &str,
    events: &[&str],
) -> (i64, String) {
    let mut fields = vec![("url", url), ("description", "Our CRM")];
    for e in events {
        fields.push(("event", e));
    }
    let page = app
        .post_with(&owner.client, &format!("/partner/{slug}/webhooks"), &fields)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (endpoint_id_in(&page), webhook_secret_in(&page))
}

pub const ALL_EVENTS: [&str; 8] = [
    "request.created",
    "consent.given",
    "consent.withdrawn",
    "review.created",
    "ticket.created",
    "ticket.message.created",
    "ticket.status_changed",
    "listing.status_changed",
];

async fn listing_status(app: &TestApp, owner: &Person, slug: &str, listing: i64, to: &str) {
    let page = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/listings/{listing}/status"),
            &[("to", to)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// (status, attempts, last error) of each delivery to the endpoint.
async fn deliveries(app: &TestApp, endpoint: i64) -> Vec<(String, i32, Option<String>)> {
    app.db(move |c| {
        use agora::schema::webhook_deliveries::dsl::*;
        webhook_deliveries
            .filter(endpoint_id.eq(endpoint))
            .order(id.asc())
            .select((status, attempts, last_error))
            .load(c)
            .unwrap()
    })
    .await
}

async fn wait_deliveries(
    app: &TestApp,
    endpoint: i64,
    what: &str,
    ok: impl Fn(&[(String, i32, Option<String>)]) -> bool,
) -> Vec<(String, i32, Option<String>)> {
    for _ in 0..200 {
        let d = deliveries(app, endpoint).await;
        if ok(&d) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "deliveries never {what}: {:?}",
        deliveries(app, endpoint).await
    );
}

async fn signed_deliveries_and_the_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let owner = app.person("hook-owner@example.com", "Hana Owner").await;
    let member = app.person("hook-member@example.com", "Milo Member").await;
    let (pid, slug) = app.partner("Hook Studio", &owner).await;
    app.add_member(pid, &member, "member").await;
    let (listing, _) = app.listing(pid, "Hook yoga", "Stretch.", false).await;
    let other = app.person("hook-other@example.com", "Olga Other").await;
    let (_, other_slug) = app.partner("Other Hooks", &other).await;

    // Members may not see or add endpoints.
    let base = format!("/partner/{slug}/webhooks");
    assert_eq!(
        app.get_with(&member.client, &base).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = app
        .post_with(
            &member.client,
            &base,
            &[
                ("url", &receiver.url()),
                ("event", "listing.status_changed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A bad form keeps what was typed and says what is wrong.
    let bad = app
        .post_with(
            &owner.client,
            &base,
            &[
                ("url", "ftp://files.example.com/x"),
                ("description", "Kept"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Enter a full address")
        .assert_contains("Choose at least one event.")
        .assert_contains("value=\"ftp://files.example.com/x\"")
        .assert_contains("value=\"Kept\"");

    let (endpoint, secret) = add_endpoint(&app, &owner, &slug, &receiver.url(), &ALL_EVENTS).await;
    assert_eq!(
        app.db(move |c| {
            use agora::schema::audit_events::dsl::*;
            audit_events
                .filter(action.eq("webhook_created"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await,
        1
    );
    // The secret is shown once.
    let shown = app
        .get_with(&owner.client, &format!("{base}/{endpoint}"))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(!shown.body.contains(&secret), "the secret is shown again");

    listing_status(&app, &owner, &slug, listing, "published").await;
    let hit = receiver.wait_for("listing.status_changed").await;
    assert!(verify(&secret, &hit), "signature does not verify: {hit:?}");
    assert!(!verify(&agora::webhooks::new_secret(), &hit));
    assert!(hit.id.starts_with("msg_"), "{hit:?}");
    let data = &hit.json()["data"];
    assert_eq!(data["id"], listing);
    assert_eq!(data["previous_status"], "draft");
    assert_eq!(data["status"], "published");
    // A body changed on the way does not verify.
    let mut forged = hit.clone();
    forged.body = forged.body.replace("published", "archived");
    assert!(!verify(&secret, &forged));

    // The log shows the delivery with its answer; the delivery page its
    // body and the receiver's answer.
    let log = wait_page(&app, &owner, &format!("{base}/{endpoint}"), "Delivered").await;
    log.assert_contains("listing.status_changed")
        .assert_contains(&hit.id)
        .assert_contains(">200<");
    let did = app
        .db(move |c| {
            use agora::schema::webhook_deliveries::dsl::*;
            webhook_deliveries
                .filter(endpoint_id.eq(endpoint))
                .select(id)
                .first::<i64>(c)
                .unwrap()
        })
        .await;
    let detail = app
        .get_with(
            &owner.client,
            &format!("{base}/{endpoint}/deliveries/{did}"),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    detail
        .assert_contains("previous_status&#34;: &#34;draft&#34;")
        .assert_contains("thanks");

    // Another partner's owner, and a member, get nothing of it.
    for path in [
        format!("{base}/{endpoint}"),
        format!("{base}/{endpoint}/deliveries/{did}"),
    ] {
        assert_eq!(
            app.get_with(&other.client, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.get_with(&member.client, &path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        app.get_with(
            &other.client,
            &format!("/partner/{other_slug}/webhooks/{endpoint}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let resend = format!("{base}/{endpoint}/deliveries/{did}/resend");
    assert_eq!(
        app.post_with(&other.client, &resend, &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // Sent again: the same webhook-id, a new delivery.
    let again = app.post_with(&owner.client, &resend, &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let hits = receiver
        .wait_until("the event twice", |h| {
            h.iter().filter(|x| x.id == hit.id).count() == 2
        })
        .await;
    assert!(hits.iter().all(|h| verify(&secret, h)));

    // Events not chosen are not sent; a turned-off endpoint gets nothing.
    let changed = app
        .post_with(
            &owner.client,
            &format!("{base}/{endpoint}"),
            &[
                ("url", &receiver.url()),
                ("description", "Only tickets"),
                ("event", "ticket.created"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    listing_status(&app, &owner, &slug, listing, "archived").await;
    let off = app
        .post_with(&owner.client, &format!("{base}/{endpoint}/disable"), &[])
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    listing_status(&app, &owner, &slug, listing, "published").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        receiver
            .hits()
            .iter()
            .filter(|h| h.kind() == "listing.status_changed")
            .count(),
        2,
        "{:?}",
        receiver.hits()
    );
    assert_eq!(deliveries(&app, endpoint).await.len(), 2);

    // Deleted: its log goes with it, and the owners are told.
    let gone = app
        .post_with(&owner.client, &format!("{base}/{endpoint}/delete"), &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(deliveries(&app, endpoint).await.is_empty());
    assert_eq!(
        app.get_with(&owner.client, &format!("{base}/{endpoint}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let subjects = app
        .db(|c| {
            use agora::schema::outgoing_email::dsl::*;
            outgoing_email
                .filter(to_addr.eq("hook-owner@example.com"))
                .select(subject)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(
        subjects.iter().any(|s| s.contains("New webhook endpoint"))
            && subjects.iter().any(|s| s.contains("deleted")),
        "{subjects:?}"
    );
}
both!(signed_deliveries_and_the_log);

async fn wait_page(app: &TestApp, who: &Person, path: &str, text: &str) -> Page {
    for _ in 0..100 {
        let page = app.get_with(&who.client, path).await;
        if page.body.contains(text) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never showed {text}");
}

/// While the receiver is down the delivery is tried again on the
/// schedule; once it is back the event arrives, once.
async fn retries_until_the_receiver_is_back(backend: Backend) {
    // Two quick tries, then waits long enough to look between tries.
    let app = spawn_app_with(backend, |s| {
        let (quick, slow) = (Duration::from_millis(300), Duration::from_secs(2));
        s.webhooks.retry_schedule = vec![quick, slow, slow, slow, slow];
    })
    .await;
    let owner = app.person("retry-owner@example.com", "Rita Owner").await;
    let (pid, slug) = app.partner("Retry Studio", &owner).await;
    let (listing, _) = app.listing(pid, "Retry yoga", "Stretch.", false).await;
    let port = Receiver::free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (endpoint, secret) =
        add_endpoint(&app, &owner, &slug, &url, &["listing.status_changed"]).await;
    listing_status(&app, &owner, &slug, listing, "published").await;
    let tried = wait_deliveries(&app, endpoint, "tried twice", |d| {
        d.len() == 1 && d[0].1 >= 2 && d[0].0 == "queued"
    })
    .await;
    assert_eq!(tried[0].0, "queued", "{tried:?}");
    assert!(
        tried[0]
            .2
            .as_deref()
            .unwrap_or("")
            .contains("could not connect"),
        "{tried:?}"
    );

    let receiver = Receiver::start_on(port).await;
    let hit = receiver.wait_for("listing.status_changed").await;
    assert!(verify(&secret, &hit));
    let done = wait_deliveries(&app, endpoint, "delivered", |d| d[0].0 == "delivered").await;
    assert!(done[0].1 >= 2, "{done:?}");
    // Nothing more comes after the receiver said yes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.hits().len(), 1, "{:?}", receiver.hits());
    let tries = app
        .db(move |c| {
            use agora::schema::webhook_attempts::dsl::*;
            webhook_attempts
                .select((status_code, error))
                .order(id.asc())
                .load::<(Option<i32>, Option<String>)>(c)
                .unwrap()
        })
        .await;
    assert_eq!(tries.len() as i32, done[0].1, "{tries:?}");
    assert_eq!(tries.last().unwrap().0, Some(200));
    assert!(tries[0].1.is_some());
}
both!(retries_until_the_receiver_is_back);

/// An endpoint that fails every try of a delivery is turned off, its
/// owners are emailed, and nothing is sent until it is turned on again.
async fn failing_endpoints_are_turned_off(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    receiver.fail_next(usize::MAX);
    let owner = app.person("fail-owner@example.com", "Fay Owner").await;
    let (pid, slug) = app.partner("Fail Studio", &owner).await;
    let (listing, _) = app.listing(pid, "Fail yoga", "Stretch.", false).await;
    let (endpoint, _) = add_endpoint(
        &app,
        &owner,
        &slug,
        &receiver.url(),
        &["listing.status_changed"],
    )
    .await;
    listing_status(&app, &owner, &slug, listing, "published").await;
    // Four waits in the test schedule: five tries, then failed.
    let d = wait_deliveries(&app, endpoint, "failed", |d| d[0].0 == "failed").await;
    assert_eq!(d[0].1, 5, "{d:?}");
    assert_eq!(receiver.hits().len(), 5);
    let page = wait_page(
        &app,
        &owner,
        &format!("/partner/{slug}/webhooks/{endpoint}"),
        "Turned off because",
    )
    .await;
    page.assert_contains("503");
    // The first message told of the new endpoint; the second of this.
    let mail = app.mail.wait_for("fail-owner@example.com", 2).await;
    assert!(mail.subject.contains("turned off"), "{}", mail.subject);
    assert!(mail.text.contains(&receiver.url()), "{}", mail.text);

    // Off: a new event is not queued; on again, the next one goes out.
    listing_status(&app, &owner, &slug, listing, "archived").await;
    assert_eq!(deliveries(&app, endpoint).await.len(), 1);
    receiver.fail_next(0);
    let on = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/webhooks/{endpoint}/enable"),
            &[],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    listing_status(&app, &owner, &slug, listing, "published").await;
    wait_deliveries(&app, endpoint, "delivered after turning on", |d| {
        d.len() == 2 && d[1].0 == "delivered"
    })
    .await;
}
both!(failing_endpoints_are_turned_off);

/// A rotated secret: the next deliveries carry two signatures, one of the
/// new secret and one of the old, which stops signing after its day.
async fn rotation_signs_with_both(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let owner = app.person("rot-owner@example.com", "Rob Owner").await;
    let (pid, slug) = app.partner("Rotation Studio", &owner).await;
    let (listing, _) = app.listing(pid, "Rot yoga", "Stretch.", false).await;
    let (endpoint, old) = add_endpoint(
        &app,
        &owner,
        &slug,
        &receiver.url(),
        &["listing.status_changed"],
    )
    .await;
    let rotated = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/webhooks/{endpoint}/rotate"),
            &[],
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new = webhook_secret_in(&rotated);
    assert_ne!(new, old);
    rotated.assert_contains("The previous secret also signs until");
    listing_status(&app, &owner, &slug, listing, "published").await;
    let hit = receiver.wait_for("listing.status_changed").await;
    assert_eq!(hit.signature.split(' ').count(), 2, "{hit:?}");
    assert!(verify(&new, &hit) && verify(&old, &hit));

    // A day later the old secret no longer signs.
    app.db(move |c| {
        use agora::schema::webhook_endpoints::dsl::*;
        diesel::update(webhook_endpoints.find(endpoint))
            .set(previous_until.eq(Some(agora::models::now() - time::Duration::seconds(1))))
            .execute(c)
            .unwrap();
    })
    .await;
    listing_status(&app, &owner, &slug, listing, "archived").await;
    let hits = receiver
        .wait_until("a second delivery", |h| h.len() == 2)
        .await;
    assert_eq!(hits[1].signature.split(' ').count(), 1);
    assert!(verify(&new, &hits[1]) && !verify(&old, &hits[1]));
}
both!(rotation_signs_with_both);

/// Addresses of inner networks are refused when an endpoint is saved, and
/// again when a delivery is made (after the name is resolved).
async fn inner_addresses_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.webhooks.allow_loopback_http = false).await;
    let receiver = Receiver::start().await;
    let owner = app.person("ssrf-owner@example.com", "Sid Owner").await;
    let (pid, slug) = app.partner("Ssrf Studio", &owner).await;
    let (listing, _) = app.listing(pid, "Ssrf yoga", "Stretch.", false).await;
    let base = format!("/partner/{slug}/webhooks");
    for (url, message) in [
        (receiver.url(), "must start with https://"),
        (
            format!("https://127.0.0.1:{}/hook", receiver.port),
            "not on the public internet",
        ),
        (
            format!("https://localhost:{}/hook", receiver.port),
            "not on the public internet",
        ),
        ("https://10.0.0.8/hook".into(), "not on the public internet"),
        (
            "https://169.254.169.254/latest/meta-data".into(),
            "not on the public internet",
        ),
        (
            "https://[::ffff:192.168.1.1]/".into(),
            "not on the public internet",
        ),
        (
            "https://[fd00:ec2::254]/".into(),
            "not on the public internet",
        ),
        ("https://0x7f000001/".into(), "not on the public internet"),
        (
            "https://user:pw@example.com/".into(),
            "user names and passwords",
        ),
        (
            "https://no-such-host.invalid/hook".into(),
            "could not be found",
        ),
    ] {
        let page = app
            .post_with(
                &owner.client,
                &base,
                &[("url", &url), ("event", "listing.status_changed")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        page.assert_contains(message);
    }
    assert_eq!(
        app.db(move |c| agora::models::webhooks::count(c, pid).unwrap())
            .await,
        0
    );

    // Saved some other way (or the name moved since): refused at delivery,
    // and the receiver never hears of it.
    let (port, by) = (receiver.port, owner.id);
    let endpoint = app
        .db(move |c| {
            let (id, _) = agora::models::webhooks::create(
                c,
                pid,
                &format!("https://localhost:{port}/hook"),
                "",
                &[agora::webhooks::EventType::ListingStatusChanged],
                by,
            )
            .unwrap();
            id
        })
        .await;
    listing_status(&app, &owner, &slug, listing, "published").await;
    let d = wait_deliveries(&app, endpoint, "refused", |d| {
        d.len() == 1 && d[0].2.is_some()
    })
    .await;
    let error = d[0].2.clone().unwrap();
    assert!(error.contains("may not receive webhooks"), "{error}");
    assert!(receiver.hits().is_empty());
}
both!(inner_addresses_are_refused);

/// Two instances on one database: each delivery is posted once.
async fn two_instances_deliver_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let _second = app.another_instance().await;
    let receiver = Receiver::start().await;
    let owner = app.person("twice-owner@example.com", "Tia Owner").await;
    let (pid, slug) = app.partner("Twice Studio", &owner).await;
    add_endpoint(
        &app,
        &owner,
        &slug,
        &receiver.url(),
        &["listing.status_changed"],
    )
    .await;
    let mut listings = Vec::new();
    for i in 0..6 {
        listings.push(
            app.listing(pid, &format!("Twice {i}"), "Stretch.", false)
                .await
                .0,
        );
    }
    for l in &listings {
        listing_status(&app, &owner, &slug, *l, "published").await;
        listing_status(&app, &owner, &slug, *l, "archived").await;
    }
    receiver.wait_until("12 events", |h| h.len() >= 12).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let hits = receiver.hits();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((hits.len(), ids.len()), (12, 12), "{hits:?}");
}
both!(two_instances_deliver_once);

/// A delivery written while the consumer's consent was being withdrawn
/// (it names them, but the withdrawal's rewrite did not see it) is checked
/// again when it is picked up: what is posted names nobody.
async fn a_late_delivery_follows_the_withdrawal(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let owner = app.person("late-owner@example.com", "Lu Owner").await;
    let (pid, slug) = app.partner("Late Studio", &owner).await;
    let (endpoint, secret) =
        add_endpoint(&app, &owner, &slug, &receiver.url(), &["consent.given"]).await;
    let consumer = app.person("late-cons@example.com", "Lena Late").await;
    let cid = consumer.id;
    // Off while the event is written, so the worker cannot send it first.
    app.db(move |c| {
        use agora::models::webhooks;
        webhooks::set_enabled(c, pid, endpoint, false, None).unwrap();
        let ev = webhooks::QueuedEvent {
            event_id: "msg_late".into(),
            kind: agora::webhooks::EventType::ConsentGiven,
            payload: r#"{"type":"consent.given","data":{"customer":{"id":1,"name":"Lena Late","email":"late-cons@example.com"}}}"#.into(),
            redacted: Some(r#"{"type":"consent.given","data":{"customer":{"id":1}}}"#.into()),
            customer_id: Some(cid),
        };
        webhooks::enqueue(c, &[endpoint], pid, &ev).unwrap();
        webhooks::set_enabled(c, pid, endpoint, true, None).unwrap();
    })
    .await;
    // No consent stands for her: the body posted is the one without her.
    let hit = receiver.wait_for("consent.given").await;
    assert!(verify(&secret, &hit));
    assert!(!hit.body.contains("late-cons@example.com"), "{}", hit.body);
    assert!(!hit.body.contains("Lena Late"), "{}", hit.body);
    let stored: String = app
        .db(|c| {
            use agora::schema::webhook_deliveries::dsl::*;
            webhook_deliveries.select(payload).first(c).unwrap()
        })
        .await;
    assert!(!stored.contains("late-cons@example.com"), "{stored}");
}
both!(a_late_delivery_follows_the_withdrawal);
