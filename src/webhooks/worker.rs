//! Posts due webhook deliveries: claims a batch, posts each (at once, each
//! within the timeout), records every try, retries on the schedule and
//! turns off an endpoint that failed for as long as a delivery is tried,
//! telling the partner's owners and admins by email.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use super::guard::{self, GuardedResolver};
use crate::config::{Settings, WebhookSettings};
use crate::db::{self, Pool, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::webhooks::{self, AttemptResult, Claimed, Outcome, RESPONSE_KEPT};
use crate::models::{audit, partners};

/// How long a claimed delivery is held before another process may take
/// it: well past the longest try.
fn lease(settings: &WebhookSettings) -> time::Duration {
    time::Duration::seconds(settings.timeout.as_secs() as i64 * 3 + 60)
}

pub struct Worker {
    pool: Pool,
    client: reqwest::Client,
    settings: WebhookSettings,
    base_url: String,
    mail_domain: String,
    mail_wakeup: Arc<Notify>,
    wakeup: Arc<Notify>,
}

/// The HTTP client deliveries go out with: connections only to addresses
/// the guard allows, no redirects followed, no proxy from the environment.
pub fn client(settings: &WebhookSettings) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver {
            allow_loopback: settings.allow_loopback_http,
        }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("Agora-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot make the webhook client: {e}"))
}

impl Worker {
    pub fn new(
        settings: &Settings,
        pool: Pool,
        mail_wakeup: Arc<Notify>,
        wakeup: Arc<Notify>,
    ) -> Result<Worker, String> {
        Ok(Worker {
            pool,
            client: client(&settings.webhooks)?,
            settings: settings.webhooks.clone(),
            base_url: settings.base_url.clone(),
            mail_domain: settings.mail_domain(),
            mail_wakeup,
            wakeup,
        })
    }

    /// Runs until `shutdown` turns true; tries under way are finished.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let lease = lease(&self.settings);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed = db::run(&self.pool, move |conn| {
                Ok(webhooks::claim(conn, 16, lease)?)
            })
            .await;
            let batch = match claimed {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim webhook deliveries");
                    Vec::new()
                }
            };
            if !batch.is_empty() {
                futures_util::future::join_all(batch.into_iter().map(|c| self.deliver(c))).await;
                continue;
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.settings.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("webhook worker stopped");
    }

    fn retry_in(&self, attempts: i32) -> Option<time::Duration> {
        let i = usize::try_from(attempts.max(1) - 1).ok()?;
        self.settings
            .retry_schedule
            .get(i)
            .and_then(|d| time::Duration::try_from(*d).ok())
    }

    async fn deliver(&self, c: Claimed) {
        let attempt = post(&self.client, &self.settings, &c).await;
        let retry = (!attempt.succeeded())
            .then(|| self.retry_in(c.delivery.attempts))
            .flatten();
        let (id, endpoint_id, partner_id) = (c.delivery.id, c.endpoint.id, c.endpoint.partner_id);
        if attempt.succeeded() {
            tracing::info!(id, endpoint_id, status = ?attempt.status_code, "webhook delivered");
        } else {
            tracing::warn!(id, endpoint_id, status = ?attempt.status_code, error = ?attempt.error, will_retry = retry.is_some(), "webhook not delivered");
        }
        let finished = db::run(&self.pool, move |conn| {
            Ok(webhooks::finish(conn, &c, &attempt, retry)?)
        })
        .await;
        match finished {
            Ok(Some(Outcome::Disabled)) => {
                tracing::warn!(endpoint_id, "webhook endpoint turned off after failing");
                if let Err(e) = self.tell_disabled(partner_id, endpoint_id).await {
                    tracing::error!(endpoint_id, error = %e, "cannot tell of a turned-off endpoint");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::error!(id, error = %e, "cannot record a webhook try"),
        }
    }

    /// Audits the endpoint's turning off and mails the partner's owners
    /// and admins a link to it.
    async fn tell_disabled(&self, partner_id: i64, endpoint_id: i64) -> Result<(), AppError> {
        let (base, domain) = (self.base_url.clone(), self.mail_domain.clone());
        db::run(&self.pool, move |conn| {
            write_tx(conn, |conn| {
                let Some(partner) = partners::by_id(conn, partner_id)? else {
                    return Ok(());
                };
                let Some(endpoint) = webhooks::find(conn, partner_id, endpoint_id)? else {
                    return Ok(());
                };
                audit::record(
                    conn,
                    None,
                    "webhook_disabled",
                    &format!("partner:{partner_id}:webhook:{endpoint_id}"),
                    None,
                )?;
                let link = format!("{base}/partner/{}/webhooks/{endpoint_id}", partner.slug);
                crate::mail::to_managers(conn, &domain, partner_id, |lang, email| {
                    messages::webhook_disabled(lang, email, &partner.name, &endpoint.url, &link)
                })
            })
        })
        .await?;
        self.mail_wakeup.notify_one();
        Ok(())
    }
}

/// One try: the delivery posted, signed with every secret that signs now.
pub async fn post(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    c: &Claimed,
) -> AttemptResult {
    let started = Instant::now();
    let failed = |error: String| AttemptResult {
        status_code: None,
        response_body: String::new(),
        error: Some(error),
        duration_ms: started.elapsed().as_millis().min(i32::MAX as u128) as i32,
    };
    // Checked again at each try: the address as written, and (by the
    // client's resolver) every address the name has now.
    let url = match guard::check_url(&c.endpoint.url, settings.allow_loopback_http) {
        Ok(u) => u,
        Err(r) => return failed(format!("refused: {r:?}")),
    };
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let secrets = c.endpoint.signing_secrets(crate::models::now());
    let d = &c.delivery;
    let signature = super::signature_header(&secrets, &d.event_id, timestamp, &d.payload);
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    let mut res = match sent {
        Ok(r) => r,
        Err(e) => return failed(describe(&e)),
    };
    let status = res.status().as_u16() as i32;
    // The start of the answer is kept; the rest is not read.
    let mut kept: Vec<u8> = Vec::new();
    while kept.len() < RESPONSE_KEPT {
        match res.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    kept.truncate(RESPONSE_KEPT);
    let error = (!(200..300).contains(&status)).then(|| format!("answered {status}"));
    AttemptResult {
        status_code: Some(status),
        response_body: String::from_utf8_lossy(&kept).into_owned(),
        error,
        duration_ms: started.elapsed().as_millis().min(i32::MAX as u128) as i32,
    }
}

/// What went wrong, in a line: the error and its causes.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}
