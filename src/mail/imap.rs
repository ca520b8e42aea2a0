//! The IMAP poller (`AGORA_IMAP_URL`, e.g. `imaps://user:pass@host/INBOX`):
//! each message in the mailbox is taken in as `agora mail receive` takes
//! one, then moved to the processed folder (`AGORA_IMAP_DONE_FOLDER`),
//! never deleted. It waits with IDLE where the server offers it and looks
//! again every `AGORA_IMAP_POLL_SECONDS` otherwise (or when IDLE times
//! out). A message is moved only after it was stored; one stored and not
//! yet moved when the process stopped is fetched again on the next run,
//! found by its Message-ID and moved, so nothing is lost and nothing is
//! added twice. While the database is unavailable, messages stay where
//! they are.

use std::sync::Arc;
use std::time::Duration;

use async_imap::Session;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::AppError;
use crate::mail::inbound::{self, ReceiveError};

/// Where the mailbox is and how to sign in.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub mailbox: String,
}

impl std::fmt::Debug for ImapUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(
            f,
            "{}://{}@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.mailbox
        )
    }
}

impl ImapUrl {
    /// Reads `imaps://user:pass@host[:port][/MAILBOX]` (or `imap://` for a
    /// server on the same machine); user and password are percent-decoded.
    pub fn parse(raw: &str) -> Result<ImapUrl, String> {
        let url = reqwest::Url::parse(raw.trim()).map_err(|e| e.to_string())?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            other => return Err(format!("`{other}` is not imap or imaps")),
        };
        let host = url.host_str().ok_or("no host")?.to_string();
        // Without TLS the password and the mail travel in clear: only to
        // a server on this machine.
        let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1");
        if !tls && !local {
            return Err(
                "imap:// (without TLS) is only for a server on this machine; use imaps://".into(),
            );
        }
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| "the user or password is not valid UTF-8".to_string())
        };
        let user = decode(url.username())?;
        let password = decode(url.password().unwrap_or(""))?;
        if user.is_empty() {
            return Err("no user name".into());
        }
        let mailbox = match decode(url.path().trim_start_matches('/'))? {
            m if m.is_empty() => "INBOX".to_string(),
            m => m,
        };
        Ok(ImapUrl {
            tls,
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user,
            password,
            mailbox,
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

type ImapError = Box<dyn std::error::Error + Send + Sync>;

pub struct Poller {
    url: ImapUrl,
    done_folder: String,
    poll: Duration,
    pool: Pool,
    intake: inbound::Intake,
    mail_wakeup: Arc<Notify>,
}

impl Poller {
    pub fn new(settings: &Settings, url: ImapUrl, pool: Pool, mail_wakeup: Arc<Notify>) -> Poller {
        Poller {
            url,
            done_folder: settings.imap_done_folder.clone(),
            poll: settings.imap_poll,
            pool,
            intake: inbound::Intake::of(settings),
            mail_wakeup,
        }
    }

    /// Runs until `shutdown` turns true; a message in hand is finished.
    /// A lost connection is made again after a pause that grows to a
    /// minute.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(mailbox = ?self.url, "IMAP poller started");
        let mut pause = Duration::from_secs(1);
        while !*shutdown.borrow() {
            match self.connect_and_serve(&mut shutdown).await {
                Ok(()) => pause = Duration::from_secs(1),
                Err(e) => {
                    tracing::warn!(error = %e, "IMAP mailbox not available");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => {}
                    }
                    pause = (pause * 2).min(Duration::from_secs(60));
                }
            }
        }
        tracing::info!("IMAP poller stopped");
    }

    async fn connect_and_serve(
        &self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(), ImapError> {
        let tcp = tokio::time::timeout(
            Duration::from_secs(15),
            TcpStream::connect((self.url.host.as_str(), self.url.port)),
        )
        .await??;
        if self.url.tls {
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
                tokio_rustls::rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name =
                tokio_rustls::rustls::pki_types::ServerName::try_from(self.url.host.clone())?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await?;
            self.serve(tls, shutdown).await
        } else {
            self.serve(tcp, shutdown).await
        }
    }

    async fn serve<T>(
        &self,
        stream: T,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(), ImapError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut client = async_imap::Client::new(stream);
        client.read_response().await?.ok_or("no greeting")?;
        let mut session = client
            .login(&self.url.user, &self.url.password)
            .await
            .map_err(|(e, _)| e)?;
        let caps = session.capabilities().await?;
        let (idle, moves) = (caps.has_str("IDLE"), caps.has_str("MOVE"));
        // The folder may exist already; a real problem shows on the move.
        let _ = session.create(&self.done_folder).await;
        session.select(&self.url.mailbox).await?;
        loop {
            self.drain(&mut session, moves).await?;
            if *shutdown.borrow() {
                let _ = session.logout().await;
                return Ok(());
            }
            if idle {
                let mut handle = session.idle();
                handle.init().await?;
                let (wait, stop) = handle.wait_with_timeout(self.poll);
                tokio::select! {
                    r = wait => { r?; }
                    _ = shutdown.changed() => {}
                }
                drop(stop);
                session = handle.done().await?;
            } else {
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = shutdown.changed() => {}
                }
                session.noop().await?;
            }
        }
    }

    /// Takes in every message in the mailbox, oldest first, moving each
    /// once it is stored. Stops (to try again later) when the database is
    /// unavailable.
    async fn drain<T>(&self, session: &mut Session<T>, moves: bool) -> Result<usize, ImapError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut uids: Vec<u32> = session.uid_search("ALL").await?.into_iter().collect();
        uids.sort_unstable();
        let mut done = 0;
        for uid in uids {
            // Too large: moved aside unread.
            let sized: Vec<_> = session
                .uid_fetch(uid.to_string(), "RFC822.SIZE")
                .await?
                .try_collect()
                .await?;
            let size = sized.iter().find_map(|f| f.size).unwrap_or(0) as usize;
            if size > self.intake.max_bytes {
                tracing::warn!(
                    uid,
                    size,
                    "email larger than AGORA_MAIL_MAX_BYTES, moved aside"
                );
                self.move_done(session, uid, moves).await?;
                continue;
            }
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await?
                .try_collect()
                .await?;
            let Some(raw) = fetched.iter().find_map(|f| f.body().map(<[u8]>::to_vec)) else {
                continue;
            };
            let intake = self.intake.clone();
            let result = db::run(&self.pool, move |conn| {
                Ok(inbound::receive(conn, &intake, &raw))
            })
            .await
            .map_err(|e: AppError| ReceiveError::Unavailable(e.to_string()))
            .and_then(|r| r);
            match result {
                Ok(received) => {
                    tracing::info!(uid, outcome = ?received, "email taken in");
                }
                Err(ReceiveError::Unavailable(e)) => {
                    return Err(format!("cannot store a message, left in the mailbox: {e}").into());
                }
                Err(e) => {
                    // Unreadable or too large: moved aside all the same, so it
                    // does not come back on every pass.
                    tracing::warn!(uid, error = %e, "email refused");
                }
            }
            self.move_done(session, uid, moves).await?;
            done += 1;
        }
        if done > 0 {
            self.mail_wakeup.notify_one();
        }
        Ok(done)
    }

    /// Moves one message to the processed folder (MOVE, or COPY and
    /// expunge where the server has no MOVE).
    async fn move_done<T>(
        &self,
        session: &mut Session<T>,
        uid: u32,
        moves: bool,
    ) -> Result<(), ImapError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let set = uid.to_string();
        if moves {
            session.uid_mv(&set, &self.done_folder).await?;
        } else {
            session.uid_copy(&set, &self.done_folder).await?;
            let flagged: Vec<_> = session
                .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect()
                .await?;
            drop(flagged);
            let gone: Vec<_> = session.uid_expunge(&set).await?.try_collect().await?;
            drop(gone);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_imap_urls() {
        let u =
            ImapUrl::parse("imaps://help%40example.com:p%3Ass@imap.example.com/Support").unwrap();
        assert_eq!(
            u,
            ImapUrl {
                tls: true,
                host: "imap.example.com".into(),
                port: 993,
                user: "help@example.com".into(),
                password: "p:ss".into(),
                mailbox: "Support".into(),
            }
        );
        let u = ImapUrl::parse("imap://agora:x@127.0.0.1:1430").unwrap();
        assert_eq!((u.tls, u.port, u.mailbox.as_str()), (false, 1430, "INBOX"));
        assert!(!format!("{u:?}").contains(":x@"));
        assert!(ImapUrl::parse("pop3://a:b@host").is_err());
        assert!(ImapUrl::parse("imaps://host").is_err());
        assert!(ImapUrl::parse("imap://a:b@mail.example.com").is_err());
    }
}
