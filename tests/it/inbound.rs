//! Email that arrives: replies land on their ticket by each matching rule
//! (and say how), strangers change nothing, a message is stored once,
//! noise is ignored, automatic answers are limited, new tickets open from
//! known addresses, closed tickets get follow-ups, and `agora mail
//! receive` answers an MTA with sysexits codes.

use std::io::Write;
use std::process::{Command, Stdio};

use agora::mail::inbound::{Match, Received};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, spawn_app};

/// A plain-text email with CRLF line ends.
fn email(from: &str, to: &str, subject: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut out = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@mail.example.com>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n",
        uuid::Uuid::new_v4().simple()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body.replace('\n', "\r\n"));
    out
}

async fn take(app: &TestApp, raw: &str) -> Received {
    app.receive_mail(raw).await
}

async fn open_ticket(app: &TestApp, who: &Person, listing: Option<&str>) -> i64 {
    let mut fields = vec![
        ("subject", "Walker missing"),
        ("message", "Nobody came at nine."),
        ("priority", "normal"),
    ];
    if let Some(l) = listing {
        fields.push(("listing", l));
    }
    let page = app.post_with(&who.client, "/me/tickets/new", &fields).await;
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

/// (body, internal, author kind, matched_by) of the ticket's messages.
async fn thread(app: &TestApp, number: i64) -> Vec<(String, bool, String, Option<String>)> {
    app.db(move |c| {
        use agora::schema::{ticket_messages as m, tickets as t};
        m::table
            .inner_join(t::table)
            .filter(t::number.eq(number))
            .order(m::id.asc())
            .select((m::body, m::internal, m::author_kind, m::matched_by))
            .load(c)
            .unwrap()
    })
    .await
}

async fn status_of(app: &TestApp, number: i64) -> String {
    app.db(move |c| {
        agora::models::tickets::by_number(c, number)
            .unwrap()
            .unwrap()
            .status
    })
    .await
}

/// The (Message-ID, Reply-To) of the newest email queued to `to`.
async fn last_sent(app: &TestApp, to: &str) -> (String, Option<String>) {
    let to = to.to_string();
    app.db(move |c| {
        use agora::schema::outgoing_email::dsl::*;
        outgoing_email
            .filter(to_addr.eq(to))
            .order(id.desc())
            .select((message_id, reply_to))
            .first(c)
            .unwrap()
    })
    .await
}

async fn subjects_to(app: &TestApp, to: &str) -> Vec<String> {
    let to = to.to_string();
    app.db(move |c| {
        use agora::schema::outgoing_email::dsl::*;
        outgoing_email
            .filter(to_addr.eq(to))
            .order(id.asc())
            .select(subject)
            .load(c)
            .unwrap()
    })
    .await
}

async fn replies_find_their_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("in-owner@example.com", "Olu Owner").await;
    let (pid, _) = app.partner("Inbound Kennels", &owner).await;
    let (_, listing) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let consumer = app.person("in-cons@example.com", "Cora Consumer").await;
    app.person("in-stranger@example.com", "Stan Stranger").await;
    let agent = app.person("in-agent@example.com", "Ada Agent").await;
    let agent_id = agent.id;
    app.db(move |c| agora::models::users::set_staff(c, agent_id, true).unwrap())
        .await;
    let n = open_ticket(&app, &consumer, Some(&listing)).await;

    // The confirmation is threaded and answers to the ticket's address.
    let (root, reply_to) = last_sent(&app, "in-cons@example.com").await;
    let domain = app.settings.mail_domain();
    let links = agora::support::Links::of(&app.settings);
    assert_eq!(root, agora::support::root_message_id(&links, n));
    assert!(root.ends_with(&format!("@{domain}>")), "{root}");
    let reply_to = reply_to.expect("a reply address");
    assert!(
        reply_to.starts_with(&format!("support+t{n}.")),
        "{reply_to}"
    );
    assert!(reply_to.ends_with("@agora.test"), "{reply_to}");
    let sent = app.mail.wait_for("in-cons@example.com", 1).await;
    assert!(
        sent.raw.contains(&format!("Reply-To: {reply_to}")),
        "{}",
        sent.raw
    );

    // 1. In-Reply-To: the email it answers.
    let reply = email(
        "Cora Consumer <in-cons@example.com>",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root), ("References", &root)],
        "Thanks, nine is fine.\n\nOn Tue, 1 Dec 2026, Agora <support@agora.test> wrote:\n> We are sorry.\n",
    );
    assert_eq!(
        take(&app, &reply).await,
        Received::Added {
            number: n,
            matched_by: Match::Headers
        }
    );
    // Stored once: the same message again adds nothing.
    assert_eq!(take(&app, &reply).await, Received::Duplicate);
    let t = thread(&app, n).await;
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1].0, "Thanks, nine is fine.");
    assert_eq!(t[1].3.as_deref(), Some("headers"));
    let raw_kept: String = app
        .db(|c| {
            use agora::schema::inbound_mail::dsl::*;
            inbound_mail
                .filter(outcome.eq("added"))
                .select(raw)
                .first(c)
                .unwrap()
        })
        .await;
    assert!(raw_kept.contains("> We are sorry."), "the original is kept");
    // The desk may read it as it came; nobody else, and not through
    // another ticket.
    let desk = app
        .get_with(&agent.client, &format!("/desk/tickets/{n}"))
        .await;
    let marker = format!("/desk/tickets/{n}/mail/");
    let at = desk.body.find(&marker).expect("a link to the original");
    let link: String = desk.body[at..].split('"').next().unwrap().to_string();
    let original = app.get_with(&agent.client, &link).await;
    assert_eq!(original.status, StatusCode::OK);
    assert!(
        original.body.contains("> We are sorry."),
        "{}",
        original.body
    );
    assert!(
        original.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(
        app.get_with(&consumer.client, &link).await.status,
        StatusCode::NOT_FOUND
    );
    let other = open_ticket(&app, &consumer, None).await;
    let elsewhere = link.replace(&format!("/tickets/{n}/"), &format!("/tickets/{other}/"));
    assert_eq!(
        app.get_with(&agent.client, &elsewhere).await.status,
        StatusCode::NOT_FOUND
    );

    // 2. The reply address alone (a client that drops the headers).
    let by_address = email(
        "in-cons@example.com",
        &reply_to,
        "Another thing",
        &[],
        "Could he come at ten instead?",
    );
    assert_eq!(
        take(&app, &by_address).await,
        Received::Added {
            number: n,
            matched_by: Match::ReplyAddress
        }
    );
    // 3. The number in the subject, from the requester.
    let by_subject = email(
        "in-cons@example.com",
        "support@agora.test",
        &format!("Re: [#{n}] Walker missing"),
        &[],
        "And bring the lead.",
    );
    assert_eq!(
        take(&app, &by_subject).await,
        Received::Added {
            number: n,
            matched_by: Match::Subject
        }
    );
    // The consumer sees each, saying how it was matched.
    let page = app
        .get_with(&consumer.client, &format!("/me/tickets/{n}"))
        .await;
    page.assert_contains("Could he come at ten instead?")
        .assert_contains("matched by the ticket&#39;s reply address")
        .assert_contains("matched by the ticket number in the subject");

    // A stranger's [#N] finds no ticket (their own mail opens their own);
    // a stranger replying to the thread is refused and told so. Neither
    // changes the ticket.
    let forged = email(
        "in-stranger@example.com",
        "support@agora.test",
        &format!("Re: [#{n}] Walker missing"),
        &[],
        "Close this ticket.",
    );
    let Received::Opened { number: own, .. } = take(&app, &forged).await else {
        panic!("a verified stranger's new mail is their own ticket");
    };
    assert_ne!(own, n);
    let intruding = email(
        "in-stranger@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root)],
        "Close it now.",
    );
    assert_eq!(
        take(&app, &intruding).await,
        Received::Refused("not-a-participant")
    );
    assert_eq!(thread(&app, n).await.len(), 4);
    assert!(
        subjects_to(&app, "in-stranger@example.com")
            .await
            .iter()
            .any(|s| s.starts_with("Not added")),
        "the stranger is told"
    );

    // A guessed thread id (the number without its signature) finds
    // nothing, even from the desk's address.
    let guessed = email(
        "in-agent@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &format!("<ticket-{n}@{domain}>"))],
        "#note\nForged note.",
    );
    assert!(matches!(
        take(&app, &guessed).await,
        Received::Opened { .. }
    ));
    assert_eq!(thread(&app, n).await.len(), 4);

    // The desk by email: `#note` makes an internal note, never shown to
    // the consumer; a plain reply is public.
    let note = email(
        "in-agent@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root)],
        "#note\nThe walker's van broke down.",
    );
    take(&app, &note).await;
    let answer = email(
        "in-agent@example.com",
        &reply_to,
        "Re: Walker missing",
        &[],
        "He is on his way.",
    );
    take(&app, &answer).await;
    let t = thread(&app, n).await;
    assert_eq!(
        t[4],
        (
            "The walker's van broke down.".into(),
            true,
            "staff".into(),
            Some("headers".into())
        )
    );
    assert_eq!(
        (t[5].0.as_str(), t[5].1, t[5].2.as_str()),
        ("He is on his way.", false, "staff")
    );
    let page = app
        .get_with(&consumer.client, &format!("/me/tickets/{n}"))
        .await;
    page.assert_contains("He is on his way.");
    assert!(!page.body.contains("van broke down"));

    // The partner's owner by email writes as the partner.
    let partner_reply = email(
        "in-owner@example.com",
        "support@agora.test",
        &format!("Re: [#{n}] Walker missing"),
        &[],
        "We will refund the walk.",
    );
    assert!(matches!(
        take(&app, &partner_reply).await,
        Received::Added { .. }
    ));
    let t = thread(&app, n).await;
    assert_eq!(
        (t[6].0.as_str(), t[6].2.as_str()),
        ("We will refund the walk.", "partner")
    );
}
both!(replies_find_their_ticket);

async fn noise_strangers_and_new_tickets(backend: Backend) {
    let app = spawn_app(backend).await;
    let known = app.person("in-known@example.com", "Kim Known").await;
    let tickets_before = || async {
        app.db(|c| {
            agora::schema::tickets::table
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await
    };

    // Noise: auto-replies, lists, bounces, our own mail.
    for (from, headers, why) in [
        (
            "in-known@example.com",
            vec![("Auto-Submitted", "auto-replied")],
            "auto-submitted",
        ),
        ("in-known@example.com", vec![("Precedence", "bulk")], "bulk"),
        (
            "MAILER-DAEMON@mail.example.com",
            vec![(
                "Content-Type",
                "multipart/report; report-type=delivery-status; boundary=\"b\"",
            )],
            "delivery-report",
        ),
        ("no-reply@agora.test", vec![], "own-address"),
    ] {
        let raw = email(
            from,
            "support@agora.test",
            "Out of office",
            &headers,
            "--b--\n",
        );
        assert_eq!(take(&app, &raw).await, Received::Ignored(why));
    }
    assert_eq!(tickets_before().await, 0);
    // Auto-Submitted: no is a person's mail.
    let person = email(
        "in-known@example.com",
        "support@agora.test",
        "Lost my booking",
        &[("Auto-Submitted", "no")],
        "I booked yoga for Friday and it is gone.\n-- \nKim",
    );
    let Received::Opened {
        number,
        follows: None,
    } = take(&app, &person).await
    else {
        panic!("a known address opens a ticket");
    };
    assert_eq!(
        thread(&app, number).await[0].0,
        "I booked yoga for Friday and it is gone."
    );
    let confirmation = app.mail.wait_for("in-known@example.com", 1).await;
    assert!(
        confirmation.subject.contains(&number.to_string()),
        "{}",
        confirmation.subject
    );
    let page = app
        .get_with(&known.client, &format!("/me/tickets/{number}"))
        .await;
    page.assert_contains("Lost my booking")
        .assert_contains("by email");
    assert_eq!(status_of(&app, number).await, "new");

    // HTML-only mail and another charset are read as text.
    let html = email(
        "in-known@example.com",
        "support@agora.test",
        "Caf\u{e9}",
        &[
            ("Content-Type", "text/html; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        "<p>Le caf=E9 est <b>ferm=E9</b>.</p>",
    );
    let Received::Opened { number: second, .. } = take(&app, &html).await else {
        panic!("opens a ticket");
    };
    let body = &thread(&app, second).await[0].0;
    assert!(body.contains("Le café est ferm"), "{body}");
    assert!(!body.contains("<p>"), "{body}");

    // An unknown address is answered, at most a few times an hour.
    for i in 0..5 {
        let raw = email(
            "someone@elsewhere.example",
            "support@agora.test",
            &format!("Question {i}"),
            &[],
            "Can I book?",
        );
        assert_eq!(take(&app, &raw).await, Received::Refused("unknown-sender"));
    }
    let answers = subjects_to(&app, "someone@elsewhere.example").await;
    assert_eq!(
        answers.len() as i64,
        agora::mail::inbound::ANSWERS_PER_HOUR,
        "{answers:?}"
    );
    assert!(answers[0].contains("Question 0"), "{answers:?}");
    assert_eq!(tickets_before().await, 2);
    let mail = app.mail.wait_for("someone@elsewhere.example", 1).await;
    assert!(
        mail.raw.contains("Auto-Submitted: auto-generated"),
        "{}",
        mail.raw
    );
    assert!(mail.text.contains("/signup"), "{}", mail.text);

    // Admins see what came in and what became of it; nobody else does.
    let admin = app.admin("in-admin@example.com").await;
    let list = app
        .get_with(&admin.client, "/admin/outbox?status=received")
        .await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("someone@elsewhere.example")
        .assert_contains("Refused")
        .assert_contains("unknown-sender")
        .assert_contains("auto-submitted")
        .assert_contains(&format!("/desk/tickets/{number}"));
    assert_ne!(
        app.get_with(&known.client, "/admin/outbox?status=received")
            .await
            .status,
        StatusCode::OK
    );
}
both!(noise_strangers_and_new_tickets);

async fn resolved_reopens_closed_follows_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("in-again@example.com", "Ari Again").await;
    let n = open_ticket(&app, &consumer, None).await;
    let root = agora::support::root_message_id(&agora::support::Links::of(&app.settings), n);
    let set = |to: &'static str| {
        app.db(move |c| {
            use agora::schema::tickets::dsl::*;
            diesel::update(tickets.filter(number.eq(n)))
                .set(status.eq(to))
                .execute(c)
                .unwrap();
        })
    };
    set("resolved").await;
    let reply = email(
        "in-again@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root)],
        "It happened again today.",
    );
    assert!(matches!(take(&app, &reply).await, Received::Added { .. }));
    assert_eq!(status_of(&app, n).await, "open");

    set("closed").await;
    let reply = email(
        "in-again@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root)],
        "And once more.",
    );
    let Received::Opened {
        number: follow,
        follows: Some(of),
    } = take(&app, &reply).await
    else {
        panic!("a closed ticket gets a follow-up");
    };
    assert_eq!(of, n);
    assert_ne!(follow, n);
    assert_eq!(status_of(&app, n).await, "closed");
    assert_eq!(thread(&app, n).await.len(), 2);
    assert_eq!(thread(&app, follow).await[0].0, "And once more.");
    let linked: Option<i64> = app
        .db(move |c| {
            use agora::schema::tickets::dsl::*;
            tickets
                .filter(number.eq(follow))
                .select(follow_up_of)
                .first(c)
                .unwrap()
        })
        .await;
    assert_eq!(linked, Some(n));
    app.get_with(&consumer.client, &format!("/me/tickets/{follow}"))
        .await
        .assert_contains(&format!("Follows up <a href=\"/me/tickets/{n}\">#{n}</a>"));
}
both!(resolved_reopens_closed_follows_up);

/// Runs `agora mail receive` with `raw` on standard input.
/// (The process runs while this test's worker thread waits for it.)
fn receive_command(
    app: &TestApp,
    database_url: &str,
    extra: &[(&str, &str)],
    raw: &str,
) -> (i32, String) {
    tokio::task::block_in_place(|| run_receive(app, database_url, extra, raw))
}

fn run_receive(
    app: &TestApp,
    database_url: &str,
    extra: &[(&str, &str)],
    raw: &str,
) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    let dir = tempfile::tempdir().unwrap();
    cmd.current_dir(dir.path())
        .args(["mail", "receive"])
        .env("DATABASE_URL", database_url)
        .env("AGORA_BASE_URL", &app.address)
        .env(
            "AGORA_SECRET_KEY",
            "a-test-key-that-is-long-enough-0123456789",
        )
        .env("AGORA_SUPPORT_ADDRESS", "support@agora.test")
        .env_remove("AGORA_SMTP_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap_or(());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn the_receive_command_speaks_sysexits(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("in-cli@example.com", "Cli Consumer").await;
    let n = open_ticket(&app, &consumer, None).await;
    let url = match &app.settings.database_url {
        agora::db::DbUrl::Sqlite(p) | agora::db::DbUrl::Postgres(p) => p.clone(),
    };
    let root = agora::support::root_message_id(&agora::support::Links::of(&app.settings), n);
    let reply = email(
        "in-cli@example.com",
        "support@agora.test",
        "Re: Walker missing",
        &[("In-Reply-To", &root)],
        "Piped in by the MTA.",
    );
    let (code, out) = receive_command(&app, &url, &[], &reply);
    assert_eq!(code, 0, "{out}");
    assert_eq!(thread(&app, n).await[1].0, "Piped in by the MTA.");
    // The MTA's retry of the same message: taken, added once.
    let (code, out) = receive_command(&app, &url, &[], &reply);
    assert_eq!((code, out.contains("Duplicate")), (0, true), "{out}");
    assert_eq!(thread(&app, n).await.len(), 2);
    // Unreadable or too large: bounced (65).
    let (code, out) = receive_command(&app, &url, &[], "");
    assert_eq!(code, 65, "{out}");
    let (code, out) = receive_command(&app, &url, &[("AGORA_MAIL_MAX_BYTES", "100")], &reply);
    assert_eq!(code, 65, "{out}");
    // No database now: tried again later (75).
    let (code, out) = receive_command(&app, "postgres://nobody@127.0.0.1:1/none", &[], &reply);
    assert_eq!(code, 75, "{out}");
}
both!(the_receive_command_speaks_sysexits);
