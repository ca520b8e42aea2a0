//! Builds the application: database, migrations, mail worker, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::auth::password::Hasher;
use crate::auth::store::DbSessionStore;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::AppError;
use crate::mail::worker::Worker;
use crate::web::AppState;
use crate::web::metrics::{Metrics, Record};
use crate::web::middleware::{bad_request, error_pages, request_log, security_headers};

pub struct ServeOptions {
    pub workers: Option<usize>,
    /// Let the server react to SIGTERM / Ctrl-C itself (off in tests).
    pub handle_signals: bool,
    /// A socket bound already (tests bind port 0 to learn the port first).
    pub listener: Option<TcpListener>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            workers: None,
            handle_signals: true,
            listener: None,
        }
    }
}

pub struct Application {
    port: u16,
    server: Server,
    /// The separate listener of `AGORA_METRICS_BIND`, and its port.
    metrics_server: Option<(Server, u16)>,
    pub pool: Pool,
    worker: JoinHandle<()>,
    webhook_worker: JoinHandle<()>,
    imap_poller: Option<JoinHandle<()>>,
    view_writer: JoinHandle<()>,
    maintenance: JoinHandle<()>,
    shutdown: watch::Sender<bool>,
    pub mail_description: String,
}

/// Opens the database and applies pending migrations.
pub fn open_database(settings: &Settings) -> Result<Pool, String> {
    open_database_counted(settings, None)
}

/// `open_database`, with the pool's checkout waits counted into `waits`.
pub fn open_database_counted(
    settings: &Settings,
    waits: Option<Arc<db::PoolWaits>>,
) -> Result<Pool, String> {
    let pool = db::connect_logged(
        &settings.database_url,
        settings.pool_size,
        settings.query_log.clone(),
        waits,
    )?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db::run_migrations(&mut conn)?;
    Ok(pool)
}

/// Cookies may go without `Secure` only over plain http on loopback.
pub fn cookies_need_secure(base_url: &str) -> bool {
    let Some(rest) = base_url.strip_prefix("http://") else {
        return true;
    };
    let host = if rest.starts_with('[') {
        rest.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        rest.split([':', '/']).next().unwrap_or("").to_string()
    };
    !matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// HTTP workers when `AGORA_WORKERS` is unset: one per core on SQLite,
/// whose reads run on the worker itself; two per core on PostgreSQL, where
/// a worker waiting on a round trip leaves its core to another one (a
/// fifth of the machine sat idle under load with one per core).
pub fn default_workers(url: &db::DbUrl) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match url {
        db::DbUrl::Sqlite(_) => cores,
        db::DbUrl::Postgres(_) => 2 * cores,
    }
}

impl Application {
    pub async fn build(settings: Settings, options: ServeOptions) -> Result<Application, String> {
        let settings = Arc::new(settings);
        let waits = settings
            .metrics_enabled()
            .then(|| Arc::new(db::PoolWaits::default()));
        let pool = {
            let (s, waits) = (settings.clone(), waits.clone());
            tokio::task::spawn_blocking(move || open_database_counted(&s, waits))
                .await
                .map_err(|e| e.to_string())??
        };
        let metrics = waits.map(|waits| {
            Arc::new(Metrics::new(
                pool.clone(),
                waits,
                settings.metrics_token.as_deref(),
            ))
        });
        let metrics_on_main = settings.metrics_on_main_listener();
        let listener = match options.listener {
            Some(l) => l,
            None => TcpListener::bind(&settings.bind)
                .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?,
        };
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();

        let wakeup = Arc::new(Notify::new());
        let worker = Worker::new(&settings, pool.clone(), wakeup.clone())?;
        let mail_description = worker.transport.describe();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let worker = tokio::spawn(worker.run(shutdown_rx.clone()));
        let webhook_wakeup = Arc::new(Notify::new());
        let webhook_worker = crate::webhooks::worker::Worker::new(
            &settings,
            pool.clone(),
            wakeup.clone(),
            webhook_wakeup.clone(),
        )?;
        let webhook_worker = tokio::spawn(webhook_worker.run(shutdown_rx.clone()));
        let imap_poller = match &settings.imap_url {
            Some(url) => {
                let url = crate::mail::imap::ImapUrl::parse(url)
                    .map_err(|e| format!("AGORA_IMAP_URL is not valid: {e}"))?;
                let poller =
                    crate::mail::imap::Poller::new(&settings, url, pool.clone(), wakeup.clone());
                Some(tokio::spawn(poller.run(shutdown_rx.clone())))
            }
            None => None,
        };
        let maintenance = tokio::spawn(maintenance(
            pool.clone(),
            settings.session_absolute,
            (settings.outbox_retention, settings.webhooks.retention),
            settings.attachments.clone(),
            (
                crate::support::Links::of(&settings),
                settings.time_zone.clone(),
                settings.notifications_every,
            ),
            shutdown_rx,
        ));

        let hasher = {
            // Half the cores hash at most, so sign-ins cannot starve pages.
            let permits = std::thread::available_parallelism()
                .map(|n| n.get() / 2)
                .unwrap_or(1)
                .max(1);
            tokio::task::spawn_blocking(move || Hasher::new(permits))
                .await
                .map_err(|e| e.to_string())?
        };
        let views = Arc::new(crate::models::views::ViewCounter::default());
        let views_wakeup = Arc::new(Notify::new());
        let view_writer = tokio::spawn(write_views(
            pool.clone(),
            settings.views_flush,
            views.clone(),
            views_wakeup.clone(),
            shutdown.subscribe(),
        ));
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            settings: settings.clone(),
            hasher,
            mail_wakeup: wakeup,
            webhook_wakeup,
            secure_cookies: cookies_need_secure(&settings.base_url),
            views,
            views_wakeup,
            search_cache: crate::web::cache::TtlCache::new(Duration::from_secs(60), 512),
            count_cache: crate::web::cache::TtlCache::new(Duration::from_secs(30), 256),
            html_cache: crate::web::cache::TtlCache::new(Duration::from_secs(600), 4096),
            categories: crate::web::cache::TtlCache::new(Duration::from_secs(30), 1),
            figures: crate::web::cache::TtlCache::new(settings.figures_ttl, 4096),
            overview: crate::web::cache::TtlCache::new(settings.figures_ttl, 4096),
            trends: crate::web::cache::TtlCache::new(settings.figures_ttl, 4096),
            desk_trends: crate::web::cache::TtlCache::new(settings.figures_ttl, 256),
            desk_tables: crate::web::cache::TtlCache::new(settings.figures_ttl, 256),
            chart_views: crate::web::cache::TtlCache::new(settings.figures_ttl, 1024),
            desk_figures: crate::web::cache::TtlCache::new(settings.figures_ttl, 256),
            platform_trends: crate::web::cache::TtlCache::new(settings.figures_ttl, 64),
            desk_counts: crate::web::cache::TtlCache::new(
                settings.figures_ttl.min(Duration::from_secs(10)),
                1024,
            ),
            desk_partners: crate::web::cache::TtlCache::new(
                settings.figures_ttl.min(Duration::from_secs(10)),
                1,
            ),
            desk_menus: crate::web::cache::TtlCache::new(
                settings.figures_ttl.min(Duration::from_secs(10)),
                1,
            ),
            partner_tags: crate::web::cache::TtlCache::new(settings.figures_ttl, 1024),
            segment_moves: crate::web::cache::TtlCache::new(settings.figures_ttl, 1024),
            api_limiter: Default::default(),
            public: crate::web::cache::PublicCache::new(settings.public_ttl),
            passkeys: crate::auth::passkey::relying_party(&settings.base_url),
        });
        let key = Key::derive_from(&settings.secret);
        let secure = cookies_need_secure(&settings.base_url);
        let https = settings.is_https();
        let cookie_ttl =
            actix_web::cookie::time::Duration::seconds(settings.session_absolute.as_secs() as i64);
        let store = DbSessionStore::new(
            pool.clone(),
            settings.session_absolute,
            settings.session_idle,
        );

        let app_metrics = metrics.clone();
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(store.clone(), key.clone())
                .cookie_name("agora_session".to_string())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(
                    PersistentSession::default()
                        .session_ttl(cookie_ttl)
                        .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
                )
                .build();
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(crate::auth::csrf::MAX_BODY)
                        .error_handler(|e, _| bad_request(e)),
                )
                .app_data(web::QueryConfig::default().error_handler(|e, _| bad_request(e)))
                .app_data(web::PathConfig::default().error_handler(|e, _| bad_request(e)))
                .wrap(from_fn(crate::auth::csrf::check))
                .wrap(from_fn(error_pages))
                .wrap(sessions)
                .wrap(from_fn(crate::web::middleware::methods))
                .wrap(from_fn(request_log))
                .wrap(Record::new(app_metrics.as_ref(), metrics_on_main))
                .wrap(Compress::default())
                .wrap(security_headers(https))
                .configure(crate::routes::configure)
                .default_service(web::to(not_found))
        })
        .listen(listener)
        .map_err(|e| e.to_string())?
        .shutdown_timeout(30);
        let server = match options.workers {
            Some(n) => server.workers(n),
            None => server.workers(default_workers(&settings.database_url)),
        };
        let server = if options.handle_signals {
            server
        } else {
            server.disable_signals()
        };
        let metrics_server = match (&metrics, &settings.metrics_bind) {
            (Some(metrics), Some(bind)) => Some(metrics_server(metrics.clone(), bind)?),
            _ => None,
        };
        Ok(Application {
            port,
            server: server.run(),
            metrics_server,
            pool,
            worker,
            webhook_worker,
            imap_poller,
            view_writer,
            maintenance,
            shutdown,
            mail_description,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (a signal, or `handle().stop()`), then
    /// stops the metrics listener and lets the mail worker finish the
    /// message in hand.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.map(|(server, _)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let result = self.server.await;
        if let Some(handle) = metrics {
            handle.stop(true).await;
        }
        let _ = self.shutdown.send(true);
        if tokio::time::timeout(Duration::from_secs(30), self.worker)
            .await
            .is_err()
        {
            tracing::warn!("mail worker did not stop in time");
        }
        if tokio::time::timeout(Duration::from_secs(30), self.webhook_worker)
            .await
            .is_err()
        {
            tracing::warn!("webhook worker did not stop in time");
        }
        if let Some(poller) = self.imap_poller
            && tokio::time::timeout(Duration::from_secs(30), poller)
                .await
                .is_err()
        {
            tracing::warn!("IMAP poller did not stop in time");
        }
        if tokio::time::timeout(Duration::from_secs(10), self.view_writer)
            .await
            .is_err()
        {
            tracing::warn!("view counts were not written in time");
        }
        self.maintenance.abort();
        result
    }
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// The listener of `AGORA_METRICS_BIND`: `/metrics` and nothing else, in
/// plain text, on one worker.
fn metrics_server(metrics: Arc<Metrics>, bind: &str) -> Result<(Server, u16), String> {
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("cannot listen on {bind} (AGORA_METRICS_BIND): {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Record::serve_only(metrics.clone()))
            .default_service(web::to(|| async {
                HttpResponse::NotFound()
                    .content_type("text/plain; charset=utf-8")
                    .body("not found\n")
            }))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok((server, port))
}

/// Writes counted listing views every few seconds (sooner when many are
/// pending), and once more on the way out.
async fn write_views(
    pool: Pool,
    every: Duration,
    views: Arc<crate::models::views::ViewCounter>,
    wakeup: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(every) => false,
            _ = wakeup.notified() => false,
            _ = shutdown.changed() => true,
        };
        let rows = views.take();
        if !rows.is_empty() {
            let kept = rows.clone();
            let result = db::run(&pool, move |conn| {
                Ok(crate::models::views::write(conn, &rows)?)
            })
            .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "listing views not written; kept for the next try");
                views.restore(kept);
            }
        }
        if stopping {
            break;
        }
    }
}

/// Resolved tickets close by themselves after this long.
pub use crate::maintenance::RESOLVED_TICKETS_CLOSE_AFTER;

/// Runs the clean-up pass every ten minutes (one instance at a time when
/// several share a PostgreSQL database).
async fn maintenance(
    pool: Pool,
    absolute: Duration,
    (retention, webhook_retention): (Duration, Duration),
    files: crate::support::attachments::Rules,
    (links, platform_zone, notifications_every): (
        crate::support::Links,
        crate::domain::zone::Zone,
        Option<Duration>,
    ),
    mut shutdown: watch::Receiver<bool>,
) {
    let session_absolute = time::Duration::try_from(absolute).unwrap_or(time::Duration::days(14));
    let outbox_retention = time::Duration::try_from(retention).unwrap_or(time::Duration::days(30));
    let webhook_retention =
        time::Duration::try_from(webhook_retention).unwrap_or(time::Duration::days(30));
    tokio::spawn(refresh_customer_scores(pool.clone(), shutdown.clone()));
    if let Some(period) = notifications_every {
        tokio::spawn(notifications(
            pool.clone(),
            links,
            platform_zone,
            period,
            shutdown.clone(),
        ));
    }
    let mut window_day = None;
    loop {
        let today = crate::models::now().date();
        let options = crate::maintenance::PassOptions {
            session_absolute,
            recount_views: window_day != Some(today),
            outbox_retention,
            webhook_retention,
        };
        let result = db::run(&pool, move |conn| {
            Ok(crate::maintenance::run_pass(conn, options)?)
        })
        .await;
        match result {
            // Another instance ran it: that instance recounted the views.
            Ok(_) => window_day = Some(today),
            Err(e) => tracing::warn!(error = %e, "periodic clean-up failed"),
        }
        // Files of deleted tickets and accounts (safe on several instances
        // at once: a file goes only with the row its instance deleted).
        let rules = files.clone();
        if let Err(e) = db::run(&pool, move |conn| {
            Ok(crate::support::attachments::purge_unnamed(
                conn, &rules, 1000,
            )?)
        })
        .await
        {
            tracing::warn!(error = %e, "cannot remove unused files");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Sends the optional emails that are due by the clock rather than by an
/// event: partner digests and SLA warnings (one instance at a time).
async fn notifications(
    pool: Pool,
    links: crate::support::Links,
    zone: crate::domain::zone::Zone,
    period: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = shutdown.changed() => break,
        }
        let (links, zone) = (links.clone(), zone.clone());
        let result = db::run(&pool, move |conn| {
            crate::mail::notify::run_pass(conn, &links, &zone, crate::models::now())
        })
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot send digests and SLA warnings");
        }
    }
}

/// Customer scores are refreshed this often, a few partners at a time.
pub const CUSTOMER_SCORES_EVERY: Duration = Duration::from_secs(60);

/// Works out again the customer scores of partners with new activity, a
/// few partners per database call, for at most half of each interval.
async fn refresh_customer_scores(pool: Pool, mut shutdown: watch::Receiver<bool>) {
    const PER_CALL: usize = 5;
    let mut every = tokio::time::interval(CUSTOMER_SCORES_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = shutdown.changed() => break,
        }
        let started = std::time::Instant::now();
        loop {
            let result = db::run(&pool, |conn| {
                Ok(crate::models::crm::refresh_due(conn, PER_CALL as i64)?)
            })
            .await;
            match result {
                Ok(n) if n == PER_CALL && started.elapsed() < CUSTOMER_SCORES_EVERY / 2 => {}
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "customer scores refresh failed");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cookies_need_secure, default_workers};
    use crate::db::DbUrl;

    #[test]
    fn secure_cookies_except_loopback_http() {
        assert!(!cookies_need_secure("http://127.0.0.1:8080"));
        assert!(!cookies_need_secure("http://localhost:8080/"));
        assert!(!cookies_need_secure("http://[::1]:8080"));
        assert!(cookies_need_secure("https://127.0.0.1"));
        assert!(cookies_need_secure("http://agora.example.com"));
    }

    #[test]
    fn postgres_gets_twice_the_workers_of_sqlite() {
        let sqlite = default_workers(&DbUrl::Sqlite("data/agora.db".into()));
        let postgres = default_workers(&DbUrl::Postgres("postgres://db/agora".into()));
        assert!(sqlite >= 1);
        assert_eq!(postgres, 2 * sqlite);
    }
}
