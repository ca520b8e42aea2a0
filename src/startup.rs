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
    pub pool: Pool,
    worker: JoinHandle<()>,
    maintenance: JoinHandle<()>,
    shutdown: watch::Sender<bool>,
    pub mail_description: String,
}

/// Opens the database and applies pending migrations.
pub fn open_database(settings: &Settings) -> Result<Pool, String> {
    let pool = db::connect(&settings.database_url, settings.pool_size)?;
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

impl Application {
    pub async fn build(settings: Settings, options: ServeOptions) -> Result<Application, String> {
        let settings = Arc::new(settings);
        let pool = {
            let s = settings.clone();
            tokio::task::spawn_blocking(move || open_database(&s))
                .await
                .map_err(|e| e.to_string())??
        };
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
        let maintenance = tokio::spawn(maintenance(
            pool.clone(),
            settings.session_absolute,
            shutdown_rx,
        ));

        let hasher = {
            let permits = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2);
            tokio::task::spawn_blocking(move || Hasher::new(permits))
                .await
                .map_err(|e| e.to_string())?
        };
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            settings: settings.clone(),
            hasher,
            mail_wakeup: wakeup,
        });
        let key = Key::derive_from(&settings.secret);
        let secure = cookies_need_secure(&settings.base_url);
        let https = settings.is_https();
        let idle =
            actix_web::cookie::time::Duration::seconds(settings.session_idle.as_secs() as i64);
        let store = DbSessionStore::new(pool.clone(), settings.session_absolute);

        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(store.clone(), key.clone())
                .cookie_name("agora_session".to_string())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(
                    PersistentSession::default()
                        .session_ttl(idle)
                        .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
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
                .wrap(from_fn(request_log))
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
            None => server,
        };
        let server = if options.handle_signals {
            server
        } else {
            server.disable_signals()
        };
        Ok(Application {
            port,
            server: server.run(),
            pool,
            worker,
            maintenance,
            shutdown,
            mail_description,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (a signal, or `handle().stop()`), then
    /// lets the mail worker finish the message in hand.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let _ = self.shutdown.send(true);
        if tokio::time::timeout(Duration::from_secs(30), self.worker)
            .await
            .is_err()
        {
            tracing::warn!("mail worker did not stop in time");
        }
        self.maintenance.abort();
        result
    }
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Resolved tickets close by themselves after this long.
pub const RESOLVED_TICKETS_CLOSE_AFTER: time::Duration = time::Duration::days(7);

/// Clears expired sessions and closes long-resolved tickets now and then.
async fn maintenance(pool: Pool, absolute: Duration, mut shutdown: watch::Receiver<bool>) {
    let absolute = time::Duration::try_from(absolute).unwrap_or(time::Duration::days(14));
    tokio::spawn(refresh_customer_scores(pool.clone(), shutdown.clone()));
    loop {
        let result = db::run(&pool, move |conn| {
            crate::models::sessions::purge_expired(conn, absolute)?;
            db::write_tx(conn, |conn| {
                let cfg = crate::models::tickets::sla_config(conn)?;
                crate::models::tickets::close_stale(conn, RESOLVED_TICKETS_CLOSE_AFTER, &cfg)
            })?;
            Ok(())
        })
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "periodic clean-up failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = shutdown.changed() => break,
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
    use super::cookies_need_secure;

    #[test]
    fn secure_cookies_except_loopback_http() {
        assert!(!cookies_need_secure("http://127.0.0.1:8080"));
        assert!(!cookies_need_secure("http://localhost:8080/"));
        assert!(!cookies_need_secure("http://[::1]:8080"));
        assert!(cookies_need_secure("https://127.0.0.1"));
        assert!(cookies_need_secure("http://agora.example.com"));
    }
}
