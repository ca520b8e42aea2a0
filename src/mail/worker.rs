//! Delivers the outbox: claims due messages, sends them over SMTP or writes
//! them as `.eml` files, retries with exponential backoff, and marks them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{Notify, watch};

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::models::outbox::{self, OutgoingEmail};

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> Result<Transport, String> {
        match &settings.smtp_url {
            Some(url) => {
                let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("AGORA_SMTP_URL is not valid: {e}"))?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Ok(Transport::Smtp(t))
            }
            None => {
                std::fs::create_dir_all(&settings.mail_dir)
                    .map_err(|e| format!("cannot create {}: {e}", settings.mail_dir.display()))?;
                Ok(Transport::Folder(settings.mail_dir.clone()))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".to_string(),
            Transport::Folder(dir) => format!(".eml files in {}", dir.display()),
        }
    }
}

/// Why a send failed, and whether trying again may help.
struct SendError {
    message: String,
    permanent: bool,
}

fn build(from: &Mailbox, m: &OutgoingEmail) -> Result<Message, SendError> {
    let permanent = |e: String| SendError {
        message: e,
        permanent: true,
    };
    let to: Mailbox = m
        .to_addr
        .parse()
        .map_err(|e| permanent(format!("bad recipient: {e}")))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()));
    if let Some(r) = &m.in_reply_to {
        builder = builder.in_reply_to(r.clone());
    }
    if let Some(r) = &m.references_hdr {
        builder = builder.references(r.clone());
    }
    if let Some(r) = &m.reply_to {
        let reply_to: Mailbox = r
            .parse()
            .map_err(|e| permanent(format!("bad reply address: {e}")))?;
        builder = builder.reply_to(reply_to);
    }
    let mut message = builder
        .multipart(MultiPart::alternative_plain_html(
            m.body_text.clone(),
            m.body_html.clone(),
        ))
        .map_err(|e| permanent(format!("cannot build message: {e}")))?;
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_string(),
    ));
    if let Some(url) = &m.unsubscribe_url {
        // RFC 8058 one-click unsubscribe.
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
    }
    Ok(message)
}

async fn send(transport: &Transport, from: &Mailbox, m: &OutgoingEmail) -> Result<(), SendError> {
    let message = build(from, m)?;
    match transport {
        Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
            // Only a 5xx reply is permanent; refused connections, timeouts
            // and 4xx replies are tried again.
            permanent: e.is_permanent(),
            message: e.to_string(),
        }),
        Transport::Folder(dir) => {
            let name = format!("{:06}.eml", m.id);
            let tmp = dir.join(format!(".{name}.tmp"));
            let path = dir.join(name);
            let bytes = message.formatted();
            let result = async {
                tokio::fs::write(&tmp, &bytes).await?;
                tokio::fs::rename(&tmp, &path).await
            }
            .await;
            result.map_err(|e| SendError {
                message: e.to_string(),
                permanent: false,
            })
        }
    }
}

pub struct Worker {
    pub pool: Pool,
    pub transport: Transport,
    pub from: Mailbox,
    pub poll: Duration,
    pub backoff: Duration,
    pub max_attempts: i32,
    pub wakeup: Arc<Notify>,
}

impl Worker {
    pub fn new(settings: &Settings, pool: Pool, wakeup: Arc<Notify>) -> Result<Worker, String> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("AGORA_MAIL_FROM is not valid: {e}"))?;
        Ok(Worker {
            pool,
            transport: Transport::from_settings(settings)?,
            from,
            poll: settings.mail_poll,
            backoff: settings.mail_backoff,
            max_attempts: settings.mail_max_attempts,
            wakeup,
        })
    }

    fn retry_delay(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 16) as u32);
        self.backoff
            .saturating_mul(factor)
            .min(Duration::from_secs(6 * 3600))
    }

    /// Runs until `shutdown` turns true; a message being sent then is
    /// finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(transport = %self.transport.describe(), "mail worker started");
        let lease = time::Duration::seconds(120);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed =
                db::run(&self.pool, move |conn| Ok(outbox::claim(conn, 10, lease)?)).await;
            let batch = match claimed {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim outgoing email");
                    Vec::new()
                }
            };
            let busy = !batch.is_empty();
            for m in batch {
                if *shutdown.borrow() {
                    // Leave the rest claimed; the lease expires and another
                    // run takes them.
                    break;
                }
                self.deliver(m).await;
            }
            if busy {
                continue;
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("mail worker stopped");
    }

    async fn deliver(&self, m: OutgoingEmail) {
        let id = m.id;
        let outcome = send(&self.transport, &self.from, &m).await;
        let (error, retry) = match outcome {
            Ok(()) => {
                tracing::info!(id, to = %m.to_addr, "email sent");
                (None, None)
            }
            Err(e) => {
                let retry = (!e.permanent && m.attempts < self.max_attempts)
                    .then(|| self.retry_delay(m.attempts));
                tracing::warn!(id, error = %e.message, will_retry = retry.is_some(), "email not sent");
                (Some(e.message), retry)
            }
        };
        let result = db::run(&self.pool, move |conn| {
            match error {
                None => outbox::mark_sent(conn, id)?,
                Some(msg) => outbox::mark_failed(
                    conn,
                    id,
                    &msg,
                    retry.and_then(|d| time::Duration::try_from(d).ok()),
                )?,
            }
            Ok(())
        })
        .await;
        if let Err(e) = result {
            tracing::error!(id, error = %e, "cannot record email outcome");
        }
    }
}
