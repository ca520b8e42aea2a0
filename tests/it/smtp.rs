//! A real SMTP server inside the test process: receives what the app
//! sends, can be stopped (connections refused) and resumed on its port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Notify, watch};

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub raw: String,
}

impl Mail {
    fn parse(envelope_to: &str, raw: &[u8]) -> Mail {
        let msg = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parsable message");
        let header =
            |name: &str| -> Option<String> { msg.header_raw(name).map(|v| v.trim().to_string()) };
        Mail {
            to: envelope_to.to_string(),
            subject: msg.subject().unwrap_or_default().to_string(),
            text: msg.body_text(0).map(|c| c.into_owned()).unwrap_or_default(),
            html: msg.body_html(0).map(|c| c.into_owned()).unwrap_or_default(),
            message_id: header("Message-ID").unwrap_or_default(),
            in_reply_to: header("In-Reply-To"),
            references: header("References"),
            raw: String::from_utf8_lossy(raw).into_owned(),
        }
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in:\n{}", self.text));
        self.text[start..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap()
            .to_string()
    }
}

struct Shared {
    mails: Mutex<Vec<Mail>>,
    arrived: Notify,
}

pub struct MailSink {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Mutex<Option<watch::Sender<bool>>>,
}

impl MailSink {
    pub async fn start() -> MailSink {
        let sink = MailSink {
            port: 0,
            shared: Arc::new(Shared {
                mails: Mutex::new(Vec::new()),
                arrived: Notify::new(),
            }),
            stop: Mutex::new(None),
        };
        let mut sink = sink;
        sink.port = sink.listen(0);
        sink
    }

    fn listen(&self, port: u16) -> u16 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(format!("127.0.0.1:{port}").parse().unwrap())
            .unwrap();
        let listener = socket.listen(64).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = watch::channel(false);
        *self.stop.lock().unwrap() = Some(tx);
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let mut rx_accept = rx.clone();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { break };
                        let shared = shared.clone();
                        let mut rx_conn = rx.clone();
                        tokio::spawn(async move {
                            tokio::select! {
                                _ = session(stream, shared) => {}
                                _ = rx_conn.changed() => {}
                            }
                        });
                    }
                    _ = rx_accept.changed() => break,
                }
            }
        });
        port
    }

    /// Closes the port and every open connection: sends now fail.
    pub fn stop(&self) {
        if let Some(tx) = self.stop.lock().unwrap().take() {
            let _ = tx.send(true);
        }
    }

    /// Listens on the same port again.
    pub fn resume(&self) {
        self.listen(self.port);
    }

    pub fn all(&self) -> Vec<Mail> {
        self.shared.mails.lock().unwrap().clone()
    }

    pub fn to(&self, addr: &str) -> Vec<Mail> {
        self.all().into_iter().filter(|m| m.to == addr).collect()
    }

    /// Waits until `n` messages to `addr` whose subject holds `subject`
    /// have arrived; returns the last of them.
    pub async fn wait_about(&self, addr: &str, subject: &str, n: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.shared.arrived.notified();
            let found: Vec<Mail> = self
                .to(addr)
                .into_iter()
                .filter(|m| m.subject.contains(subject))
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {n} message(s) to {addr} about {subject:?}, got {:?}",
                    self.to(addr).iter().map(|m| &m.subject).collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits until `n` messages to `addr` have arrived; returns the last.
    pub async fn wait_for(&self, addr: &str, n: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.shared.arrived.notified();
            let mails = self.to(addr);
            if mails.len() >= n {
                return mails[n - 1].clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {n} message(s) to {addr}, got {}: {:?}",
                    mails.len(),
                    self.all()
                        .iter()
                        .map(|m| (&m.to, &m.subject))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut rcpt: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 sink.test\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            rcpt.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let addr = cmd
                .split_once(':')
                .map(|(_, a)| a.trim().trim_start_matches('<'))
                .and_then(|a| a.split('>').next())
                .unwrap_or("")
                .to_lowercase();
            rcpt.push(addr);
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data: Vec<u8> = Vec::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let content = line.strip_prefix('.').unwrap_or(&line);
                data.extend_from_slice(content.as_bytes());
            }
            {
                let mut mails = shared.mails.lock().unwrap();
                for to in &rcpt {
                    mails.push(Mail::parse(to, &data));
                }
            }
            shared.arrived.notify_waiters();
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}
