//! The IMAP poller against a real Dovecot, started for each test with a
//! throwaway configuration in a temp folder: mail is taken in and moved to
//! the processed folder (never deleted), new mail arrives through IDLE,
//! and a restart between storing a message and moving it loses nothing
//! and adds nothing twice.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::prelude::*;
use futures_util::TryStreamExt;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, spawn_app};

const USER: &str = "agora";
const PASSWORD: &str = "imap-test-password";
const DONE: &str = "Agora-Processed";

/// A Dovecot in its own process group, stopped with it on drop.
pub struct Dovecot {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let pid = self.child.id() as i32;
        let _ = Command::new("/usr/bin/kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn id_of(args: &[&str]) -> Option<String> {
    let out = Command::new("id").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl Dovecot {
    pub async fn start() -> Dovecot {
        assert!(
            std::path::Path::new("/usr/sbin/dovecot").exists(),
            "the IMAP tests need Dovecot: `apt-get install dovecot-imapd`, or run `bash scripts/test.sh`, which installs it"
        );
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        let me = id_of(&["-u"]).unwrap_or_default();
        let as_root = me == "0";
        // As root, mail belongs to Dovecot's own user; otherwise to ours,
        // and Dovecot runs without changing users.
        let (uid, gid, extra) = if as_root {
            let uid = id_of(&["-u", "dovecot"]).expect("the dovecot user");
            let gid = id_of(&["-g", "dovecot"]).expect("the dovecot group");
            let _ = Command::new("chown")
                .args([
                    "-R",
                    &format!("{uid}:{gid}"),
                    &root.join("home").to_string_lossy(),
                ])
                .status();
            (uid, gid, String::new())
        } else {
            let name = id_of(&["-un"]).unwrap();
            let gid = id_of(&["-g"]).unwrap();
            (
                me.clone(),
                gid,
                format!(
                    "default_internal_user = {name}\ndefault_login_user = {name}\ndefault_internal_group = {name}\n"
                ),
            )
        };
        // Readable by the mail user when Dovecot drops root.
        let _ = Command::new("chmod")
            .args(["755", &root.to_string_lossy()])
            .status();
        let r = root.to_string_lossy();
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        std::fs::write(
            root.join("dovecot.conf"),
            format!(
                "first_valid_uid = 1\nprotocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\nmail_location = maildir:{r}/home/%u/Maildir\n{extra}\
passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/users\n}}\n\
userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={r}/home/%u\n}}\n\
service imap-login {{\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
service pop3-login {{\n  inet_listener pop3 {{\n    port = 0\n  }}\n}}\n\
service submission-login {{\n  inet_listener submission {{\n    port = 0\n  }}\n}}\n\
service lmtp {{\n  unix_listener lmtp {{\n    mode = 0600\n  }}\n}}\n"
            ),
        )
        .unwrap();
        let mut cmd = Command::new("/usr/sbin/dovecot");
        cmd.args(["-F", "-c", &root.join("dovecot.conf").to_string_lossy()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().unwrap();
        let d = Dovecot {
            port,
            child,
            _dir: dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = std::fs::read_to_string(d._dir.path().join("dovecot.log")).unwrap_or_default();
        panic!("Dovecot did not start:\n{log}");
    }

    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap().unwrap();
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// Puts messages in the INBOX, as an MTA delivering them would.
    pub async fn deliver(&self, messages: &[String]) {
        let mut s = self.session().await;
        for m in messages {
            s.append("INBOX", None, None, m.as_bytes()).await.unwrap();
        }
        s.logout().await.unwrap();
    }

    /// How many messages the folder holds (0 when it does not exist).
    pub async fn count(&self, folder: &str) -> u32 {
        let mut s = self.session().await;
        let n = match s.examine(folder).await {
            Ok(m) => m.exists,
            Err(_) => 0,
        };
        s.logout().await.unwrap();
        n
    }

    async fn wait_counts(&self, inbox: u32, done: u32) {
        for _ in 0..150 {
            if self.count("INBOX").await == inbox && self.count(DONE).await == done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "expected {inbox} in INBOX and {done} processed, found {} and {}",
            self.count("INBOX").await,
            self.count(DONE).await
        );
    }
}

fn reply(from: &str, root: &str, n: usize) -> String {
    format!(
        "From: {from}\r\nTo: support@agora.test\r\nSubject: Re: Walker missing\r\nMessage-ID: <imap-{n}-{}@client.example>\r\nIn-Reply-To: {root}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nReply number {n}.\r\n",
        uuid::Uuid::new_v4().simple()
    )
}

async fn ticket(app: &TestApp, who: &Person) -> (i64, String) {
    let page = app
        .post_with(
            &who.client,
            "/me/tickets/new",
            &[
                ("subject", "Walker missing"),
                ("message", "Nobody came."),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let n: i64 = page.headers["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let links = agora::support::Links::of(&app.settings);
    (n, agora::support::root_message_id(&links, n))
}

async fn bodies(app: &TestApp, number: i64) -> Vec<String> {
    app.db(move |c| {
        use agora::schema::{ticket_messages as m, tickets as t};
        m::table
            .inner_join(t::table)
            .filter(t::number.eq(number))
            .order(m::id.asc())
            .select(m::body)
            .load(c)
            .unwrap()
    })
    .await
}

async fn the_poller_takes_mail_in(backend: Backend) {
    let dovecot = Dovecot::start().await;
    let app = spawn_app(backend).await;
    let consumer = app.person("imap-cons@example.com", "Ines Imap").await;
    let (n, root) = ticket(&app, &consumer).await;
    dovecot
        .deliver(&[
            reply("imap-cons@example.com", &root, 1),
            // Noise is moved along too, and changes nothing.
            "From: imap-cons@example.com\r\nTo: support@agora.test\r\nSubject: Away\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <away@client.example>\r\n\r\nI am away.\r\n".into(),
        ])
        .await;
    // The poller waits in IDLE far longer than this test: new mail wakes it.
    let _poller = app
        .another_instance_with(|s| {
            s.imap_url = Some(dovecot.url());
            s.imap_poll = Duration::from_secs(300);
        })
        .await;
    dovecot.wait_counts(0, 2).await;
    assert_eq!(bodies(&app, n).await, ["Nobody came.", "Reply number 1."]);
    dovecot
        .deliver(&[reply("imap-cons@example.com", &root, 2)])
        .await;
    dovecot.wait_counts(0, 3).await;
    assert_eq!(
        bodies(&app, n).await,
        ["Nobody came.", "Reply number 1.", "Reply number 2."]
    );
}
both!(the_poller_takes_mail_in);

/// The process stopped after storing a message and before moving it: the
/// next run fetches it again, finds it stored, and moves it; the others
/// are taken in once each.
async fn a_restart_mid_batch_loses_nothing(backend: Backend) {
    let dovecot = Dovecot::start().await;
    let app = spawn_app(backend).await;
    let consumer = app.person("imap-again@example.com", "Ira Again").await;
    let (n, root) = ticket(&app, &consumer).await;
    let batch: Vec<String> = (1..=4)
        .map(|i| reply("imap-again@example.com", &root, i))
        .collect();
    dovecot.deliver(&batch).await;
    // The first was stored by the run that stopped.
    app.receive_mail(&batch[0]).await;
    assert_eq!(dovecot.count("INBOX").await, 4);

    let poller = app
        .another_instance_with(|s| s.imap_url = Some(dovecot.url()))
        .await;
    dovecot.wait_counts(0, 4).await;
    drop(poller);
    assert_eq!(
        bodies(&app, n).await,
        [
            "Nobody came.",
            "Reply number 1.",
            "Reply number 2.",
            "Reply number 3.",
            "Reply number 4."
        ]
    );
    let outcomes: Vec<String> = app
        .db(|c| {
            use agora::schema::inbound_mail::dsl::*;
            inbound_mail
                .order(id.asc())
                .select(outcome)
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(outcomes, ["added"; 4]);

    // Nothing was deleted from the server: every message is in the
    // processed folder, unflagged.
    let mut s = dovecot.session().await;
    s.select(DONE).await.unwrap();
    let deleted = s.uid_search("DELETED").await.unwrap();
    assert!(deleted.is_empty(), "{deleted:?}");
    let all: Vec<_> = s
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    s.logout().await.unwrap();
}
both!(a_restart_mid_batch_loses_nothing);
