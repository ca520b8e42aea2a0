//! Prometheus metrics at `/metrics`, in the text exposition format 0.0.4.
//!
//! Requests are counted by route pattern (`/listings/{slug}`, never the
//! raw path, so the number of series stays bounded by the routes), method
//! and status, with a latency histogram per pattern and method. Each HTTP
//! worker records into a shard of its own behind a lock no other worker
//! takes, so recording costs one uncontended lock and a few additions; a
//! scrape adds the shards up. Everything else is read at scrape time: the
//! pool's state and waits, and a few counts over indexes (outbox,
//! sessions, SLA) through the blocking pool.
//!
//! The text format is written here rather than through a metrics crate:
//! a dozen families do not need a recorder, and a global one could not
//! keep two applications in one process (the tests) apart.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt::{Display, Write};
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::future::{Either, LocalBoxFuture};
use sha2::{Digest, Sha256};

use crate::db::{self, Pool, PoolWaits};
use crate::models::{outbox, sessions, tickets, webhooks};

/// The route label of requests no route matched (or that failed before
/// routing was done).
pub const UNMATCHED: &str = "unmatched";

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Latency bucket upper bounds, in microseconds, and as `le` labels (the
/// last label, `+Inf`, has no bound).
const BUCKETS_MICROS: [u64; 14] = [
    500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
    2_500_000, 5_000_000, 10_000_000,
];
const BUCKET_LABELS: [&str; BUCKETS] = [
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
    "2.5", "5", "10", "+Inf",
];
const BUCKETS: usize = BUCKETS_MICROS.len() + 1;

/// The method labels: anything else is `other`, so a client cannot add
/// series by inventing methods.
const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "OPTIONS", "other"];

fn method_index(m: &Method) -> usize {
    match *m {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::OPTIONS => 3,
        _ => 4,
    }
}

/// The requests of one route pattern and method.
#[derive(Debug, Default, Clone)]
struct Series {
    /// Requests per status, in the order first seen (a handful each).
    statuses: Vec<(u16, u64)>,
    /// Requests per bucket, not cumulative; the last is above every bound.
    buckets: [u64; BUCKETS],
    sum_micros: u64,
}

impl Series {
    fn record(&mut self, status: u16, micros: u64) {
        match self.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => self.statuses.push((status, 1)),
        }
        let bucket = BUCKETS_MICROS
            .iter()
            .position(|bound| micros <= *bound)
            .unwrap_or(BUCKETS - 1);
        self.buckets[bucket] += 1;
        self.sum_micros = self.sum_micros.saturating_add(micros);
    }

    fn add(&mut self, other: &Series) {
        for &(status, n) in &other.statuses {
            match self.statuses.iter_mut().find(|(s, _)| *s == status) {
                Some((_, m)) => *m += n,
                None => self.statuses.push((status, n)),
            }
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine += theirs;
        }
        self.sum_micros = self.sum_micros.saturating_add(other.sum_micros);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// One series per method label.
type PerMethod = [Series; METHODS.len()];

/// One HTTP worker's request counts, by route pattern.
#[derive(Debug, Default)]
pub struct Shard {
    routes: HashMap<String, PerMethod>,
}

impl Shard {
    /// Counts one request. The pattern is stored the first time it is
    /// seen; later requests only look it up.
    fn record(&mut self, pattern: Option<String>, method: usize, status: u16, micros: u64) {
        let key = pattern.as_deref().unwrap_or(UNMATCHED);
        if let Some(series) = self.routes.get_mut(key) {
            series[method].record(status, micros);
            return;
        }
        let mut series: PerMethod = Default::default();
        series[method].record(status, micros);
        let key = pattern.unwrap_or_else(|| UNMATCHED.to_string());
        self.routes.insert(key, series);
    }
}

/// What a scrape reads from the database.
struct Figures {
    now: time::PrimitiveDateTime,
    outbox: outbox::Backlog,
    webhooks: webhooks::Backlog,
    sessions: i64,
    sla: tickets::SlaBreaches,
}

/// The registry of one application.
pub struct Metrics {
    shards: Mutex<Vec<Arc<Mutex<Shard>>>>,
    pool: Pool,
    waits: Arc<PoolWaits>,
    /// The SHA-256 of the bearer token, when one is asked for: comparing
    /// digests in constant time gives away neither the token nor its length.
    token: Option<[u8; 32]>,
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Metrics {
    pub fn new(pool: Pool, waits: Arc<PoolWaits>, token: Option<&str>) -> Metrics {
        Metrics {
            shards: Mutex::new(Vec::new()),
            pool,
            waits,
            token: token.map(|t| digest(t.as_bytes())),
        }
    }

    /// A shard for one HTTP worker. Shards stay for the life of the
    /// application (a restarted worker gets a new one), so no count ever
    /// goes backwards.
    pub fn shard(&self) -> Arc<Mutex<Shard>> {
        let shard = Arc::new(Mutex::new(Shard::default()));
        lock(&self.shards).push(shard.clone());
        shard
    }

    /// Whether the request may read the metrics: always when no token is
    /// asked for, else with `Authorization: Bearer <token>`.
    pub fn authorized(&self, req: &HttpRequest) -> bool {
        let Some(expected) = &self.token else {
            return true;
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match given {
            Some(token) => crate::auth::constant_time_eq(&digest(token.as_bytes()), expected),
            None => false,
        }
    }

    /// The answer to a request for `/metrics`: 401 without the token, 405
    /// for anything but GET and HEAD, else the metrics. Plain text in every
    /// case, never an error page, and nothing is written.
    pub async fn answer(&self, req: &HttpRequest) -> HttpResponse {
        if !self.authorized(req) {
            tracing::info!("metrics refused: missing or wrong bearer token");
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"agora-metrics\""))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .content_type("text/plain; charset=utf-8")
                .body("a bearer token is needed\n");
        }
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, "GET, HEAD"))
                .content_type("text/plain; charset=utf-8")
                .body("use GET\n");
        }
        HttpResponse::Ok()
            .content_type(CONTENT_TYPE)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(self.render().await)
    }

    /// Every worker's counts added up.
    fn requests(&self) -> BTreeMap<String, PerMethod> {
        let mut all: BTreeMap<String, PerMethod> = BTreeMap::new();
        for shard in lock(&self.shards).iter() {
            for (pattern, series) in &lock(shard).routes {
                let sum = all.entry(pattern.clone()).or_default();
                for (mine, theirs) in sum.iter_mut().zip(series) {
                    mine.add(theirs);
                }
            }
        }
        all
    }

    async fn figures(&self) -> Option<Figures> {
        let read = db::run(&self.pool, |conn| {
            let now = crate::models::now();
            Ok(Figures {
                now,
                outbox: outbox::backlog(conn)?,
                webhooks: webhooks::backlog(conn)?,
                sessions: sessions::live_count(conn)?,
                sla: tickets::sla_breaches(conn, now)?,
            })
        })
        .await;
        match read {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::warn!(error = %e, "metrics: the database figures could not be read");
                None
            }
        }
    }

    /// The metrics in the text exposition format.
    pub async fn render(&self) -> String {
        // The pool's state before the scrape takes a connection itself.
        let pool = self.pool.state();
        let max = self.pool.max_size();
        let (checkouts, waited, timeouts) = self.waits.totals();
        let figures = self.figures().await;
        let requests = self.requests();

        let mut out = Text(String::with_capacity(4096 + requests.len() * 2048));
        out.family("agora_build_info", "gauge", "The running version of Agora.");
        out.sample(
            "agora_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );

        out.family(
            "agora_http_requests_total",
            "counter",
            "Requests answered, by route pattern, method and status.",
        );
        for (route, series) in &requests {
            for (method, s) in METHODS.iter().zip(series) {
                for (status, n) in &s.statuses {
                    let status = status.to_string();
                    out.sample(
                        "agora_http_requests_total",
                        &[("route", route), ("method", method), ("status", &status)],
                        n,
                    );
                }
            }
        }

        let latency = "agora_http_request_duration_seconds";
        out.family(
            latency,
            "histogram",
            "Time to answer a request (until the response starts), by route pattern and method.",
        );
        for (route, series) in &requests {
            for (method, s) in METHODS.iter().zip(series) {
                if s.statuses.is_empty() {
                    continue;
                }
                let mut cumulative = 0;
                for (le, n) in BUCKET_LABELS.iter().zip(s.buckets) {
                    cumulative += n;
                    out.sample(
                        "agora_http_request_duration_seconds_bucket",
                        &[("route", route), ("method", method), ("le", le)],
                        cumulative,
                    );
                }
                let labels = [("route", route.as_str()), ("method", method)];
                out.sample(
                    "agora_http_request_duration_seconds_sum",
                    &labels,
                    s.sum_micros as f64 / 1e6,
                );
                out.sample(
                    "agora_http_request_duration_seconds_count",
                    &labels,
                    s.count(),
                );
            }
        }

        out.family(
            "agora_db_pool_connections",
            "gauge",
            "Database connections open, in use or idle.",
        );
        let idle = pool.idle_connections;
        let in_use = pool.connections.saturating_sub(idle);
        out.sample("agora_db_pool_connections", &[("state", "in_use")], in_use);
        out.sample("agora_db_pool_connections", &[("state", "idle")], idle);
        out.gauge(
            "agora_db_pool_max_connections",
            "The most database connections the pool opens (AGORA_DB_POOL).",
            max,
        );
        out.counter(
            "agora_db_pool_checkouts_total",
            "Connections taken from the pool.",
            checkouts,
        );
        out.counter(
            "agora_db_pool_wait_seconds_total",
            "Time spent waiting for a connection, summed over checkouts; its rate is the \
             average number of requests waiting.",
            waited.as_secs_f64(),
        );
        out.counter(
            "agora_db_pool_timeouts_total",
            "Requests that gave up waiting for a connection (answered 503).",
            timeouts,
        );

        out.gauge(
            "agora_database_up",
            "Whether the database answered this scrape's queries.",
            u8::from(figures.is_some()),
        );
        let Some(f) = figures else {
            return out.0;
        };

        out.family(
            "agora_outbox_messages",
            "gauge",
            "Email in the outbox not yet sent, by status.",
        );
        for (status, n) in [
            ("queued", f.outbox.queued),
            ("sending", f.outbox.sending),
            ("failed", f.outbox.failed),
        ] {
            out.sample("agora_outbox_messages", &[("status", status)], n);
        }
        let age = f
            .outbox
            .oldest_unsent
            .map_or(0.0, |t| (f.now - t).as_seconds_f64().max(0.0));
        out.gauge(
            "agora_outbox_oldest_queued_age_seconds",
            "Age of the oldest message queued or being sent (0 when there is none).",
            age,
        );
        out.family(
            "agora_webhook_deliveries",
            "gauge",
            "Webhook deliveries not yet delivered, by status.",
        );
        for (status, n) in [
            ("queued", f.webhooks.queued),
            ("sending", f.webhooks.sending),
            ("failed", f.webhooks.failed),
        ] {
            out.sample("agora_webhook_deliveries", &[("status", status)], n);
        }
        let age = f
            .webhooks
            .oldest_waiting
            .map_or(0.0, |t| (f.now - t).as_seconds_f64().max(0.0));
        out.gauge(
            "agora_webhook_oldest_waiting_age_seconds",
            "Age of the oldest webhook delivery queued or being sent (0 when there is none).",
            age,
        );

        out.gauge(
            "agora_sessions_live",
            "Sessions not yet past their idle expiry.",
            f.sessions,
        );
        out.gauge(
            "agora_sla_breaches_open",
            "Active tickets whose running SLA target is past due and not met.",
            f.sla.open,
        );
        out.gauge(
            "agora_sla_breaching_tickets",
            "Tickets in the desk's Breaching queue: overdue or due within the hour.",
            f.sla.at_risk,
        );
        out.0
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The text being written.
struct Text(String);

impl Text {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    fn gauge(&mut self, name: &str, help: &str, value: impl Display) {
        self.family(name, "gauge", help);
        self.sample(name, &[], value);
    }

    fn counter(&mut self, name: &str, help: &str, value: impl Display) {
        self.family(name, "counter", help);
        self.sample(name, &[], value);
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (key, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                self.0.push_str(key);
                self.0.push_str("=\"");
                escape_label(&mut self.0, value);
                self.0.push('"');
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }
}

/// A label value as the text format writes it: `\`, `"` and newlines
/// escaped (route patterns may hold a regex like `{id:\d+}`).
fn escape_label(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// The middleware: counts every request into this worker's shard and, on
/// the listener that serves them, answers `/metrics` itself, before
/// sessions, CSRF and the error pages (a scrape reads no session and gets
/// plain text, not a page).
pub struct Record {
    shard: Option<Arc<Mutex<Shard>>>,
    serve: Option<Arc<Metrics>>,
}

impl Record {
    /// Counts requests when metrics are on, and answers `/metrics` when
    /// `serve` is also true. Make one per worker (in the app factory).
    pub fn new(metrics: Option<&Arc<Metrics>>, serve: bool) -> Record {
        Record {
            shard: metrics.map(|m| m.shard()),
            serve: metrics.filter(|_| serve).cloned(),
        }
    }

    /// Answers `/metrics` and counts nothing: the separate listener's.
    pub fn serve_only(metrics: Arc<Metrics>) -> Record {
        Record {
            shard: None,
            serve: Some(metrics),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Record
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RecordService<S>;
    type InitError = ();
    type Future = Ready<Result<RecordService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RecordService {
            service,
            shard: self.shard.clone(),
            serve: self.serve.clone(),
        }))
    }
}

pub struct RecordService<S> {
    service: S,
    shard: Option<Arc<Mutex<Shard>>>,
    serve: Option<Arc<Metrics>>,
}

type Answer<B> = LocalBoxFuture<'static, Result<ServiceResponse<EitherBody<B>>, actix_web::Error>>;

impl<S, B> Service<ServiceRequest> for RecordService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Either<Recording<S::Future>, Answer<B>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if let Some(metrics) = &self.serve
            && req.path() == "/metrics"
        {
            let metrics = metrics.clone();
            return Either::Right(Box::pin(async move {
                let (req, _) = req.into_parts();
                let res = metrics.answer(&req).await;
                Ok(ServiceResponse::new(req, res).map_into_right_body())
            }));
        }
        let method = method_index(req.method());
        let started = Instant::now();
        Either::Left(Recording {
            fut: self.service.call(req),
            started,
            method,
            shard: self.shard.clone(),
        })
    }
}

pin_project_lite::pin_project! {
    /// A request on its way through the app; counted when it is answered.
    pub struct Recording<F> {
        #[pin]
        fut: F,
        started: Instant,
        method: usize,
        shard: Option<Arc<Mutex<Shard>>>,
    }
}

impl<F, B> Future for Recording<F>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = std::task::ready!(this.fut.poll(cx));
        if let Some(shard) = this.shard.take() {
            let micros = u64::try_from(this.started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let (pattern, status) = match &result {
                Ok(res) => (res.request().match_pattern(), res.status()),
                Err(e) => (None, e.as_response_error().status_code()),
            };
            lock(&shard).record(pattern, *this.method, status.as_u16(), micros);
        }
        Poll::Ready(result.map(ServiceResponse::map_into_left_body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_statuses_add_up() {
        let mut shard = Shard::default();
        shard.record(Some("/listings/{slug}".into()), 0, 200, 400);
        shard.record(Some("/listings/{slug}".into()), 0, 200, 3_000);
        shard.record(Some("/listings/{slug}".into()), 0, 404, 20_000_000);
        shard.record(None, 2, 404, 10);
        let s = &shard.routes["/listings/{slug}"][0];
        assert_eq!(s.statuses, vec![(200, 2), (404, 1)]);
        assert_eq!(s.buckets[0], 1);
        assert_eq!(s.buckets[3], 1);
        assert_eq!(s.buckets[BUCKETS - 1], 1);
        assert_eq!(s.count(), 3);
        assert_eq!(s.sum_micros, 20_003_400);
        assert_eq!(shard.routes[UNMATCHED][2].statuses, vec![(404, 1)]);

        let mut sum = s.clone();
        sum.add(s);
        assert_eq!(sum.statuses, vec![(200, 4), (404, 2)]);
        assert_eq!(sum.count(), 6);
    }

    #[test]
    fn methods_are_a_fixed_set() {
        assert_eq!(METHODS[method_index(&Method::GET)], "GET");
        assert_eq!(METHODS[method_index(&Method::POST)], "POST");
        let invented = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(METHODS[method_index(&invented)], "other");
        assert_eq!(METHODS[method_index(&Method::PUT)], "other");
    }

    #[test]
    fn labels_are_escaped() {
        let mut t = Text(String::new());
        t.sample(
            "x",
            &[("route", "/a/{id:\\d+}"), ("q", "say \"hi\"\n")],
            1.5,
        );
        assert_eq!(
            t.0,
            "x{route=\"/a/{id:\\\\d+}\",q=\"say \\\"hi\\\"\\n\"} 1.5\n"
        );
        let mut t = Text(String::new());
        t.sample("y", &[], 3);
        assert_eq!(t.0, "y 3\n");
    }
}
