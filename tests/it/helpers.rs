//! `spawn_app()`: the real application on a random port with a fresh
//! database, a real SMTP server, and an HTTP client that keeps cookies.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use agora::config::Settings;
use agora::db::{self, AnyConnection, DbUrl, Pool};
use agora::startup::{Application, ServeOptions};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use reqwest::StatusCode;

use crate::smtp::MailSink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test against both databases.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

pub fn admin_url() -> String {
    std::env::var("AGORA_TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A database made for one test and removed after it.
pub enum TestDb {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { name: String },
}

impl TestDb {
    pub fn create(backend: Backend) -> (TestDb, DbUrl) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("agora.db").to_string_lossy().into_owned();
                (TestDb::Sqlite { _dir: dir }, DbUrl::Sqlite(path))
            }
            Backend::Postgres => {
                let name = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url())
                    .expect("PostgreSQL must run for the tests (see README)");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let base = admin_url();
                let url = match base.rfind('/') {
                    Some(i) => format!("{}/{name}", &base[..i]),
                    None => panic!("bad admin url"),
                };
                (TestDb::Postgres { name }, DbUrl::Postgres(url))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { name } = self
            && let Ok(mut admin) = PgConnection::establish(&admin_url())
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

pub struct TestApp {
    pub address: String,
    /// The separate metrics listener (`metrics_bind`), when there is one.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub mail: Arc<MailSink>,
    pub pool: Pool,
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

pub struct Page {
    pub status: StatusCode,
    pub url: String,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn assert_contains(&self, text: &str) -> &Page {
        assert!(
            self.body.contains(text),
            "expected {text:?} on {} ({}):\n{}",
            self.url,
            self.status,
            self.body
        );
        self
    }
}

pub fn test_settings(
    database_url: DbUrl,
    mail_dir: std::path::PathBuf,
    smtp_port: u16,
) -> Settings {
    let mut secret = vec![0u8; 64];
    rand::fill(&mut secret[..]);
    Settings {
        database_url,
        bind: "127.0.0.1:0".into(),
        base_url: String::new(),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        mail_dir: mail_dir.clone(),
        mail_from: "Agora <no-reply@agora.test>".into(),
        support_address: "support@agora.test".into(),
        mail_max_bytes: 2 * 1024 * 1024,
        // On in production; the tests that need it turn it on.
        require_two_step_for_staff: false,
        time_zone: agora::domain::zone::Zone::utc(),
        // Tests run the pass themselves, at the times they choose.
        notifications_every: None,
        attachments: agora::support::attachments::Rules {
            dir: mail_dir.join("attachments"),
            max_bytes: 64 * 1024,
            max_count: 2,
        },
        imap_url: None,
        imap_done_folder: "Agora-Processed".into(),
        imap_poll: Duration::from_secs(60),
        secret,
        pool_size: 4,
        workers: None,
        session_idle: Duration::from_secs(7200),
        session_absolute: Duration::from_secs(14 * 24 * 3600),
        login_max_failures: 5,
        login_window: Duration::from_secs(900),
        login_address_limit: 100,
        login_delay: Duration::from_secs(30),
        login_delay_max: Duration::from_secs(900),
        login_forget: Duration::from_secs(3600),
        trust_forwarded_for: false,
        trusted_proxies: 1,
        limits: agora::config::Limits::default(),
        mail_poll: Duration::from_millis(200),
        mail_backoff: Duration::from_millis(300),
        mail_max_attempts: 6,
        views_flush: Duration::from_millis(200),
        figures_ttl: Duration::ZERO,
        public_ttl: Duration::from_secs(60),
        api_rate_per_minute: 600,
        body_timeout: Duration::from_secs(15),
        outbox_retention: Duration::from_secs(30 * 24 * 3600),
        metrics_token: None,
        metrics_bind: None,
        webhooks: agora::config::WebhookSettings {
            allow_loopback_http: true,
            retry_schedule: vec![Duration::from_millis(300); 4],
            timeout: Duration::from_secs(5),
            poll: Duration::from_millis(100),
            retention: Duration::from_secs(30 * 24 * 3600),
        },
        query_log: None,
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let mail = Arc::new(MailSink::start().await);
    let (test_db, url) = tokio::task::spawn_blocking(move || TestDb::create(backend))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut settings = test_settings(url, dir.path().join("mail"), mail.port);
    settings.base_url = format!("http://127.0.0.1:{port}");
    tweak(&mut settings);
    let app = Application::build(
        settings.clone(),
        ServeOptions {
            workers: Some(1),
            handle_signals: false,
            listener: Some(listener),
        },
    )
    .await
    .expect("the app starts");
    let pool = app.pool.clone();
    let handle = app.handle();
    let metrics_address = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
    tokio::spawn(app.run_until_stopped());
    let (client, jar) = new_client();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        metrics_address,
        client,
        jar,
        mail,
        pool,
        settings,
        handle,
        _db: test_db,
        _dir: dir,
    }
}

/// A second instance of the portal on the same database, with the same
/// secret and mail server, as a second machine behind a proxy would run.
pub struct Instance {
    pub address: String,
    handle: actix_web::dev::ServerHandle,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl TestApp {
    pub async fn another_instance(&self) -> Instance {
        self.another_instance_with(|_| {}).await
    }

    /// A second instance on the same database, its settings changed.
    pub async fn another_instance_with(&self, tweak: impl FnOnce(&mut Settings)) -> Instance {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut settings = self.settings.clone();
        tweak(&mut settings);
        settings.base_url = format!("http://127.0.0.1:{port}");
        let app = Application::build(
            settings,
            ServeOptions {
                workers: Some(1),
                handle_signals: false,
                listener: Some(listener),
            },
        )
        .await
        .expect("the second instance starts");
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Instance {
            address: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }
}

/// A client with its own cookie jar, as a second browser would have.
pub fn new_client() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    (client, jar)
}

/// Asks for the listing's service as `who` (its slug), sharing their
/// details with the partner when `share`; the request must be taken.
pub async fn request(
    app: &TestApp,
    who: &Person,
    listing: &str,
    message: &str,
    share: bool,
) -> Page {
    let mut fields = vec![("message", message)];
    if share {
        fields.push(("consent", "yes"));
    }
    let page = app
        .post_with(&who.client, &format!("/listings/{listing}/engage"), &fields)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page
}

/// A client that sends no cookies but those given by hand.
/// Opens a ticket as `who` (about a listing when `listing` names one, by
/// its slug) with the given priority; returns its number.
pub async fn open_ticket(
    app: &TestApp,
    who: &Person,
    subject: &str,
    listing: &str,
    priority: &str,
) -> i64 {
    let page = app
        .post_with(
            &who.client,
            "/me/tickets/new",
            &[
                ("subject", subject),
                ("message", "Please help, the walker did not come."),
                ("priority", priority),
                ("listing", listing),
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

/// The numbers of one chart's table (`id="trend-{id}"`), oldest bar
/// first: per bar, one value per series (none where the bar has none).
pub fn trend_cells(body: &str, id: &str) -> Vec<Vec<Option<i64>>> {
    let start = body
        .find(&format!("id=\"trend-{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let section = &body[start..start + body[start..].find("</section>").unwrap()];
    let tbody = &section[section.find("<tbody>").unwrap()..];
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.match_indices("<td data-value=\"")
                .map(|(i, m)| {
                    let rest = &row[i + m.len()..];
                    let v = &rest[..rest.find('"').unwrap()];
                    (!v.is_empty()).then(|| v.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// A chart's first series, oldest bar first; a bar without a value is 0.
pub fn trend_values(body: &str, id: &str) -> Vec<i64> {
    trend_cells(body, id)
        .iter()
        .map(|r| r[0].unwrap_or(0))
        .collect()
}

/// The "seen" field of a ticket's reply form: what the writer had read.
pub fn seen_of(body: &str) -> String {
    let marker = "name=\"seen\" value=\"";
    let i = body.find(marker).expect("seen field") + marker.len();
    body[i..].split('"').next().unwrap().to_string()
}

pub fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the future only waits for it.
        drop(self.handle.stop(false));
    }
}

/// The API token secret a developers page shows once, after making one.
pub fn secret_in(page: &Page) -> String {
    let start = page
        .body
        .find("value=\"agora_pt_")
        .unwrap_or_else(|| panic!("no token secret on {}:\n{}", page.url, page.body))
        + 7;
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_string()
}

/// The value of `name="csrf"` in a page.
pub fn csrf_in(body: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker).expect("a CSRF field on the page") + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// The page with every form token replaced by `TOKEN`: tokens are masked
/// afresh in every response, so two answers compare equal only without them.
pub fn without_tokens(body: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push_str("TOKEN");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> Page {
        let res = client.get(self.url(path)).send().await.unwrap();
        to_page(res).await
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(&self.client, path).await
    }

    /// The session's CSRF token, read from the home page.
    pub async fn csrf_with(&self, client: &reqwest::Client) -> String {
        csrf_in(&self.get_with(client, "/").await.body)
    }

    pub async fn post_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let token = self.csrf_with(client).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        let res = client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        to_page(res).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(&self.client, path, fields).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap();
        to_page(res).await
    }

    /// Takes in one raw email as `agora mail receive` would.
    pub async fn receive_mail(&self, raw: &str) -> agora::mail::inbound::Received {
        let (raw, intake) = (
            raw.to_string(),
            agora::mail::inbound::Intake::of(&self.settings),
        );
        self.db(move |c| agora::mail::inbound::receive(c, &intake, raw.as_bytes()).unwrap())
            .await
    }

    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> T + Send + 'static,
    ) -> T {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            f(&mut conn)
        })
        .await
        .unwrap()
    }

    /// Makes an account directly in the database.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password: &str,
        verified: bool,
    ) -> i64 {
        let (email, name, password) = (email.to_string(), name.to_string(), password.to_string());
        self.db(move |conn| {
            let hash = agora::auth::password::hash_blocking(&password).unwrap();
            let t = agora::models::now();
            agora::models::users::insert(
                conn,
                &agora::models::users::NewUser {
                    email: &email,
                    display_name: &name,
                    password_hash: &hash,
                    locale: None,
                    email_verified_at: verified.then_some(t),
                    is_staff: false,
                    is_admin: false,
                    created_at: t,
                    updated_at: t,
                },
            )
            .unwrap()
            .id
        })
        .await
    }

    pub async fn login_with(&self, client: &reqwest::Client, email: &str, password: &str) -> Page {
        self.post_with(
            client,
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        let page = self.login_with(&self.client, email, password).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            page.body
        );
        page
    }

    /// The session cookie as the browser holds it (`agora_session=...`).
    pub fn session_cookie(&self) -> String {
        use reqwest::cookie::CookieStore;
        let header = self
            .jar
            .cookies(&self.address.parse().unwrap())
            .expect("cookies set");
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find(|c| c.starts_with("agora_session="))
            .expect("a session cookie")
            .to_string()
    }

    /// GETs `path` sending exactly `cookie`.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Page {
        let res = bare_client()
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        to_page(res).await
    }

    /// Waits (up to 10 s) until `expected` views of the listing are
    /// written: views are counted in memory and written every 200 ms in
    /// tests. Waits one more write after that, so extra views would show.
    pub async fn wait_for_views(&self, listing_id: i64, expected: i64) -> i64 {
        let read = || {
            self.db(move |c| {
                let day = (agora::models::now().date() - time::Duration::days(1)).to_string();
                agora::models::listings::views_since(c, &[listing_id], &day)
                    .unwrap()
                    .get(&listing_id)
                    .copied()
                    .unwrap_or(0)
            })
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while read().await < expected && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(450)).await;
        read().await
    }

    pub async fn count_sessions(&self, user_id: i64) -> usize {
        self.db(move |conn| {
            agora::models::sessions::for_user(conn, user_id)
                .unwrap()
                .len()
        })
        .await
    }
}

pub async fn to_page(res: reqwest::Response) -> Page {
    let status = res.status();
    let url = res.url().to_string();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap();
    Page {
        status,
        url,
        body,
        headers,
    }
}

pub fn pool_of(url: &DbUrl) -> Pool {
    db::connect(url, 2).unwrap()
}

/// A signed-in person with their own browser-like client.
pub struct Person {
    pub id: i64,
    pub email: String,
    pub client: reqwest::Client,
}

impl TestApp {
    /// Makes a verified account and signs it in with a fresh client.
    pub async fn person(&self, email: &str, name: &str) -> Person {
        let id = self
            .create_user(email, name, crate::helpers::PASSWORD, true)
            .await;
        let (client, _) = new_client();
        let page = self
            .login_with(&client, email, crate::helpers::PASSWORD)
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        Person {
            id,
            email: email.to_string(),
            client,
        }
    }

    /// A signed-in member of the support staff.
    pub async fn staff(&self, email: &str, name: &str) -> Person {
        let p = self.person(email, name).await;
        let uid = p.id;
        self.db(move |c| {
            use agora::schema::users::dsl::*;
            use diesel::prelude::*;
            diesel::update(users.find(uid))
                .set(is_staff.eq(true))
                .execute(c)
                .unwrap();
        })
        .await;
        p
    }

    pub async fn admin(&self, email: &str) -> Person {
        let p = self.person(email, "Platform Admin").await;
        let id = p.id;
        self.db(move |conn| agora::models::users::set_admin(conn, id).unwrap())
            .await;
        p
    }

    /// An approved partner with `owner` as its owner; returns (id, slug).
    pub async fn partner(&self, name: &str, owner: &Person) -> (i64, String) {
        let (name, owner_id) = (name.to_string(), owner.id);
        self.db(move |conn| {
            let slug = agora::models::partners::free_slug(conn, &name).unwrap();
            let t = agora::models::now();
            let id = agora::models::catalogue::insert_partner(
                conn,
                &agora::models::catalogue::NewPartner {
                    name: &name,
                    slug: &slug,
                    website: "https://example.com",
                    description: "A partner.",
                    contact_email: "contact@partner.example",
                    status: "approved",
                    applicant_id: Some(owner_id),
                    notify_engagements: true,
                    created_at: t,
                    updated_at: t,
                },
            )
            .unwrap();
            agora::models::catalogue::add_member(conn, id, owner_id, "owner").unwrap();
            (id, slug)
        })
        .await
    }

    pub async fn add_member(&self, partner_id: i64, person: &Person, role: &str) {
        let (uid, role) = (person.id, role.to_string());
        self.db(move |conn| {
            agora::models::catalogue::add_member(conn, partner_id, uid, &role).unwrap()
        })
        .await;
    }

    /// A listing of the partner, published or not; returns (id, slug).
    pub async fn listing(
        &self,
        partner_id: i64,
        title: &str,
        body: &str,
        published: bool,
    ) -> (i64, String) {
        let (title, body) = (title.to_string(), body.to_string());
        self.db(move |conn| {
            let slug = agora::models::listings::free_slug(conn, &title).unwrap();
            let t = agora::models::now();
            let id = agora::models::catalogue::insert_listing(
                conn,
                &agora::models::catalogue::NewListing {
                    partner_id,
                    category_id: None,
                    title: &title,
                    slug: &slug,
                    summary: "Summary of the service.",
                    body: &body,
                    price_text: "€10",
                    status: if published { "published" } else { "draft" },
                    created_at: t,
                    updated_at: t,
                    published_at: published.then_some(t),
                },
            )
            .unwrap();
            agora::models::search::reindex(conn, id).unwrap();
            (id, slug)
        })
        .await
    }
}

pub const PASSWORD: &str = "lantern ocean maple";

/// Walks a paged list from `first_url` as the app's own client: follows
/// each page's `rel="next"` link to the last page and returns the
/// `data-key` of every item shown, in order. Fails when a key shows twice,
/// a page is not 200, or a page offering a next one is empty.
pub async fn walk_pages(app: &TestApp, first_url: &str) -> Vec<String> {
    let items = scraper::Selector::parse("[data-key]").unwrap();
    let next = scraper::Selector::parse("a[rel=\"next\"]").unwrap();
    let mut keys = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut url = Some(first_url.to_string());
    let mut pages = 0;
    while let Some(u) = url {
        pages += 1;
        assert!(pages <= 2000, "more than 2000 pages from {first_url}");
        let page = app.get(&u).await;
        assert_eq!(page.status, StatusCode::OK, "{u}: {}", page.body);
        let doc = scraper::Html::parse_document(&page.body);
        let before = keys.len();
        for el in doc.select(&items) {
            let k = el.value().attr("data-key").unwrap().to_string();
            assert!(seen.insert(k.clone()), "{k} shown again on {u}");
            keys.push(k);
        }
        url = doc
            .select(&next)
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_string);
        assert!(
            url.is_none() || keys.len() > before,
            "{u} is empty but offers a next page"
        );
    }
    keys
}
