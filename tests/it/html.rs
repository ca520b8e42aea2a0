//! Every main page of every role is valid HTML: the pages are gathered on
//! the demo data and checked by the Nu HTML checker (vnu.jar) in one run.
//! `scripts/test.sh` installs Java and the checker when they are missing;
//! without them this test fails and says what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp, csrf_in, new_client, spawn_app};

/// Where `scripts/test.sh` installs the checker (`npm install --prefix
/// target/vnu vnu-jar`).
const DEFAULT_JAR: &str = "target/vnu/node_modules/vnu-jar/build/dist/vnu.jar";

/// A page that must be reported, so a checker that reports nothing is not
/// taken for a clean run.
const CANARY: &str = "<!DOCTYPE html><html lang=\"en\"><head><title>canary</title></head>\
                      <body><h1>a</h1><h3>b</h3></body></html>";

fn checker() -> (String, PathBuf) {
    let java = std::env::var("AGORA_JAVA").unwrap_or_else(|_| "java".to_string());
    let runs = Command::new(&java)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "the HTML check needs Java (`{java} -version` failed): install a JRE \
         (`apt-get install default-jre-headless`) or set AGORA_JAVA, or run \
         `bash scripts/test.sh`, which installs it"
    );
    let jar = match std::env::var("AGORA_VNU_JAR") {
        Ok(p) if !p.trim().is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_JAR),
    };
    assert!(
        jar.is_file(),
        "the HTML check needs the Nu HTML checker at {}: run \
         `npm install --prefix target/vnu --ignore-scripts vnu-jar@26.9.27`, set \
         AGORA_VNU_JAR to a vnu.jar, or run `bash scripts/test.sh`, which \
         installs it",
        jar.display()
    );
    (java, jar)
}

/// The pages gathered so far: (what was asked, the HTML).
#[derive(Default)]
struct Pages(Vec<(String, String)>);

impl Pages {
    /// GETs `path` with `client` and keeps the page, which must answer
    /// `want`.
    async fn get(
        &mut self,
        app: &TestApp,
        client: &reqwest::Client,
        who: &str,
        path: &str,
        want: StatusCode,
    ) -> String {
        let page = app.get_with(client, path).await;
        assert_eq!(page.status, want, "{who} GET {path}:\n{}", page.body);
        self.0
            .push((format!("{who} GET {path}"), page.body.clone()));
        page.body
    }

    async fn ok(&mut self, app: &TestApp, client: &reqwest::Client, who: &str, path: &str) {
        self.get(app, client, who, path, StatusCode::OK).await;
    }

    /// POSTs a form that is answered with a page (an invalid one, say).
    async fn post(
        &mut self,
        app: &TestApp,
        client: &reqwest::Client,
        who: &str,
        path: &str,
        fields: &[(&str, &str)],
        want: StatusCode,
    ) {
        let page = app.post_with(client, path, fields).await;
        assert_eq!(page.status, want, "{who} POST {path}:\n{}", page.body);
        self.0.push((format!("{who} POST {path}"), page.body));
    }
}

/// The distinct links of `body` that start with `prefix` and go one path
/// segment further (`/me/tickets/` gives `/me/tickets/1004`), in order.
fn links(body: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let marker = format!("href=\"{prefix}");
    for (i, _) in body.match_indices(&marker) {
        let rest = &body[i + "href=\"".len()..];
        let href = rest.split('"').next().unwrap_or("");
        let tail = &href[prefix.len()..];
        if tail.is_empty() || tail.contains(['/', '?', '#', '.']) || tail == "new" {
            continue;
        }
        let href = href.replace("&amp;", "&");
        if !out.contains(&href) {
            out.push(href);
        }
    }
    out
}

fn first_link(body: &str, prefix: &str, what: &str) -> String {
    links(body, prefix)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no link to {what} ({prefix}…) on the page:\n{body}"))
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let (client, _) = new_client();
    let page = app.login_with(&client, email, agora::demo::PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{email}: {}", page.body);
    client
}

async fn gather(app: &TestApp) -> Pages {
    let mut pages = Pages::default();
    let p = &mut pages;

    // Anyone.
    let (anon, _) = new_client();
    let who = "anonymous";
    p.ok(app, &anon, who, "/").await;
    let catalogue = p.get(app, &anon, who, "/listings", StatusCode::OK).await;
    p.ok(app, &anon, who, "/listings?q=yoga").await;
    p.ok(app, &anon, who, "/listings?q=zzzznothing").await;
    p.ok(app, &anon, who, "/listings?category=learning&sort=rating")
        .await;
    let listings = links(&catalogue, "/listings/");
    assert!(listings.len() >= 3, "the demo's listings: {listings:?}");
    let mut partners = Vec::new();
    for l in &listings {
        let body = p.get(app, &anon, who, l, StatusCode::OK).await;
        for partner in links(&body, "/partners/") {
            if partner != "/partners/apply" && !partners.contains(&partner) {
                partners.push(partner);
            }
        }
    }
    assert!(!partners.is_empty(), "listings link to their partner");
    for partner in &partners {
        p.ok(app, &anon, who, partner).await;
    }
    for path in [
        "/login",
        "/signup",
        "/password/forgot",
        "/verify/resend",
        "/developers",
    ] {
        p.ok(app, &anon, who, path).await;
    }
    p.get(app, &anon, who, "/no/such/page", StatusCode::NOT_FOUND)
        .await;
    p.post(
        app,
        &anon,
        who,
        "/signup",
        &[
            ("email", "not an address"),
            ("display_name", ""),
            ("password", "short"),
        ],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // The same in Chinese.
    let (zh, _) = new_client();
    let token = csrf_in(&app.get_with(&zh, "/").await.body);
    let res = zh
        .post(app.url("/lang"))
        .form(&[("csrf", token.as_str()), ("lang", "zh-CN")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for path in ["/", "/listings", listings[0].as_str(), "/login"] {
        p.ok(app, &zh, "anonymous (zh-CN)", path).await;
    }

    // A consumer.
    let ann = signed_in(app, "ann.consumer@example.com").await;
    let who = "consumer";
    for path in [
        "/me",
        "/me/profile",
        "/me/password",
        "/me/security",
        "/me/notifications",
        "/me/sessions",
        "/me/privacy",
        "/me/delete",
        "/me/tickets/new",
        "/partners/apply",
    ] {
        p.ok(app, &ann, who, path).await;
    }
    // Setting up two-step sign-in: the QR code drawn as SVG.
    let started = app
        .post_with(&ann, "/me/security/two-step/start", &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    p.ok(app, &ann, who, "/me/security").await;
    let mine = p.get(app, &ann, who, "/me/tickets", StatusCode::OK).await;
    p.ok(
        app,
        &ann,
        who,
        &first_link(&mine, "/me/tickets/", "a ticket"),
    )
    .await;
    p.ok(
        app,
        &ann,
        who,
        &format!(
            "/me/tickets/new?listing={}",
            &listings[0]["/listings/".len()..]
        ),
    )
    .await;
    for l in listings.iter().take(2) {
        p.ok(app, &ann, who, l).await;
    }
    p.post(
        app,
        &ann,
        who,
        "/me/tickets/new",
        &[("subject", ""), ("message", ""), ("priority", "normal")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // A partner's owner.
    let maya = signed_in(app, "maya.owner@harbour.example").await;
    let who = "partner owner";
    let base = "/partner/harbour-wellness";
    p.ok(app, &maya, who, base).await;
    for sub in [
        "team",
        "settings",
        "engagements",
        "reviews",
        "developers",
        "webhooks",
    ] {
        p.ok(app, &maya, who, &format!("{base}/{sub}")).await;
    }
    // The developers page with a new token's secret and the token list,
    // and with a refused form.
    p.post(
        app,
        &maya,
        who,
        &format!("{base}/developers"),
        &[
            ("name", "Checker"),
            ("scope", "listings:read"),
            ("expiry", "90"),
        ],
        StatusCode::OK,
    )
    .await;
    p.post(
        app,
        &maya,
        who,
        &format!("{base}/developers"),
        &[("name", ""), ("expiry", "90")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Webhooks: a new endpoint with its secret, a refused form, the
    // endpoint with a delivery in its log, and the delivery.
    let hooks = format!("{base}/webhooks");
    let fields = [
        ("url", "http://127.0.0.1:9/hook"),
        ("event", "listing.status_changed"),
    ];
    p.post(app, &maya, who, &hooks, &fields, StatusCode::OK)
        .await;
    let bad = [("url", "http://example.com/hook"), ("description", "")];
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    p.post(app, &maya, who, &hooks, &bad, status).await;
    let list = p.get(app, &maya, who, &hooks, StatusCode::OK).await;
    let endpoint = first_link(&list, &format!("{hooks}/"), "an endpoint");
    let eid: i64 = endpoint.rsplit('/').next().unwrap().parse().unwrap();
    app.db(move |c| {
        use agora::models::webhooks;
        let pid = agora::models::partners::by_slug(c, "harbour-wellness")
            .unwrap()
            .unwrap()
            .id;
        // Off first, so nothing is posted to the made-up address.
        webhooks::set_enabled(c, pid, eid, false, None).unwrap();
        let ev = webhooks::QueuedEvent {
            event_id: "msg_html".into(),
            kind: agora::webhooks::EventType::ListingStatusChanged,
            payload: r#"{"type":"listing.status_changed","data":{}}"#.into(),
            redacted: None,
            customer_id: None,
        };
        webhooks::enqueue(c, &[eid], pid, &ev).unwrap();
    })
    .await;
    let log = p.get(app, &maya, who, &endpoint, StatusCode::OK).await;
    let delivery = first_link(&log, &format!("{endpoint}/deliveries/"), "a delivery");
    p.ok(app, &maya, who, &delivery).await;
    let own = p
        .get(app, &maya, who, &format!("{base}/listings"), StatusCode::OK)
        .await;
    p.ok(app, &maya, who, &format!("{base}/listings/new")).await;
    let own_listing = first_link(&own, &format!("{base}/listings/"), "a listing");
    p.ok(app, &maya, who, &own_listing).await;
    let customers = p
        .get(
            app,
            &maya,
            who,
            &format!("{base}/customers"),
            StatusCode::OK,
        )
        .await;
    p.ok(
        app,
        &maya,
        who,
        &first_link(&customers, &format!("{base}/customers/"), "a customer"),
    )
    .await;
    let tickets = p
        .get(app, &maya, who, &format!("{base}/tickets"), StatusCode::OK)
        .await;
    p.ok(
        app,
        &maya,
        who,
        &first_link(&tickets, &format!("{base}/tickets/"), "a ticket"),
    )
    .await;

    // Support staff.
    let sam = signed_in(app, "support@agora.example").await;
    let who = "staff";
    let desk = p.get(app, &sam, who, "/desk", StatusCode::OK).await;
    p.ok(app, &sam, who, "/desk?queue=all").await;
    let ticket = first_link(&desk, "/desk/tickets/", "a desk ticket");
    p.ok(app, &sam, who, &ticket).await;
    let ann_id = app
        .db(|conn| {
            agora::models::users::by_email(conn, "ann.consumer@example.com")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    p.ok(app, &sam, who, &format!("/desk/requesters/{ann_id}"))
        .await;
    let canned = p.get(app, &sam, who, "/desk/canned", StatusCode::OK).await;
    p.ok(
        app,
        &sam,
        who,
        &first_link(&canned, "/desk/canned/", "a canned reply"),
    )
    .await;
    p.ok(app, &sam, who, "/desk/reports").await;

    // The platform admin.
    let ada = signed_in(app, "admin@agora.example").await;
    let who = "admin";
    for path in [
        "/admin",
        "/admin/categories",
        "/admin/listings",
        "/admin/moderation",
        "/admin/users",
        "/admin/audit",
        "/admin/outbox",
        "/admin/sla",
        "/me/notifications",
    ] {
        p.ok(app, &ada, who, path).await;
    }
    let partners = p
        .get(app, &ada, who, "/admin/partners", StatusCode::OK)
        .await;
    p.ok(
        app,
        &ada,
        who,
        &first_link(&partners, "/admin/partners/", "a partner"),
    )
    .await;
    pages
}

struct Problem {
    file: String,
    line: u64,
    message: String,
    extract: String,
}

/// Runs the checker once over `files` and returns what it reported as an
/// error, per file name.
fn check(java: &str, jar: &Path, files: &[PathBuf]) -> Vec<Problem> {
    let out = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .args(files)
        .output()
        .expect("the checker runs");
    // The JSON report goes to standard error.
    let report = String::from_utf8_lossy(&out.stderr);
    let json: serde_json::Value = serde_json::from_str(report.trim()).unwrap_or_else(|e| {
        panic!(
            "the checker did not answer with JSON ({e}), exit {}:\n{report}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let messages = json["messages"].as_array().expect("a list of messages");
    messages
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| Problem {
            file: m["url"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
            line: m["lastLine"].as_u64().unwrap_or(0),
            message: format!(
                "{}{}",
                m["message"].as_str().unwrap_or("(no message)"),
                m["subType"]
                    .as_str()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            extract: m["extract"].as_str().unwrap_or("").replace('\n', " "),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_pages_of_every_role_are_valid_html() {
    let (java, jar) = checker();
    let app = spawn_app(Backend::Sqlite).await;
    let logins = app
        .db(|conn| agora::demo::fill(conn, 1).unwrap())
        .await
        .expect("an empty database takes the demo");
    assert!(!logins.is_empty());
    let pages = gather(&app).await;

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut names = std::collections::HashMap::new();
    for (i, (what, html)) in pages.0.iter().enumerate() {
        let name = format!("page-{i:03}.html");
        let path = dir.path().join(&name);
        std::fs::write(&path, html).unwrap();
        names.insert(name, what.clone());
        files.push(path);
    }
    let canary = dir.path().join("canary.html");
    std::fs::write(&canary, CANARY).unwrap();
    files.push(canary);

    let problems = tokio::task::spawn_blocking(move || check(&java, &jar, &files))
        .await
        .unwrap();
    assert!(
        problems.iter().any(|p| p.file == "canary.html"),
        "the checker did not report the canary's skipped heading level; is it working?"
    );
    let report: Vec<String> = problems
        .iter()
        .filter(|p| p.file != "canary.html")
        .map(|p| {
            let what = names.get(&p.file).map(String::as_str).unwrap_or("?");
            format!(
                "{what} ({}), line {}: {}\n    {}",
                p.file, p.line, p.message, p.extract
            )
        })
        .collect();
    if !report.is_empty() {
        let kept = dir.keep();
        panic!(
            "{} HTML error(s) in {} pages (kept in {}):\n{}",
            report.len(),
            pages.0.len(),
            kept.display(),
            report.join("\n")
        );
    }
}
