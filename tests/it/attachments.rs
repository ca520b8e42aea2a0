//! Files on ticket messages: sent with a reply on the web (consumer,
//! partner, desk) or by email, typed by their content, served only to
//! whoever may see the message and always as a download; internal notes'
//! files stay on the desk; over the limits a reply is refused whole with
//! its text kept; files of deleted tickets are removed.

use diesel::prelude::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::both;
use crate::helpers::{Backend, Page, Person, TestApp, spawn_app, to_page};

/// A PNG's first bytes, then some more: an image whatever its name says.
fn png(extra: usize) -> Vec<u8> {
    let mut v = vec![
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ];
    v.extend(std::iter::repeat_n(7u8, extra));
    v
}

/// The `?csrf=…` of the page's reply form.
fn action_in(page: &Page, path: &str) -> String {
    let start = page
        .body
        .find(&format!("action=\"{path}?csrf="))
        .unwrap_or_else(|| panic!("no reply form with files on {}:\n{}", page.url, page.body))
        + 8;
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_string()
}

async fn send(
    app: &TestApp,
    who: &Person,
    page_path: &str,
    reply_path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> Page {
    let page = app.get_with(&who.client, page_path).await;
    let action = action_in(&page, reply_path);
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let res = who
        .client
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    to_page(res).await
}

async fn message_count(app: &TestApp, number: i64) -> i64 {
    app.db(move |c| {
        use agora::schema::{ticket_messages as m, tickets as t};
        m::table
            .inner_join(t::table)
            .filter(t::number.eq(number))
            .count()
            .get_result(c)
            .unwrap()
    })
    .await
}

/// The first download link on the page.
fn file_link(page: &Page) -> String {
    let start = page
        .body
        .find("href=\"/attachments/")
        .unwrap_or_else(|| panic!("no file on {}:\n{}", page.url, page.body))
        + 6;
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_string()
}

async fn open(app: &TestApp, who: &Person, listing: &str) -> i64 {
    let page = app
        .post_with(
            &who.client,
            "/me/tickets/new",
            &[
                ("subject", "Broken tap"),
                ("message", "The tap drips."),
                ("priority", "normal"),
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

async fn files_follow_their_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("files-owner@example.com", "Fern Owner").await;
    let (pid, slug) = app.partner("Files Plumbing", &owner).await;
    let (_, listing) = app.listing(pid, "Tap repair", "Taps.", true).await;
    let consumer = app.person("files-cons@example.com", "Cal Consumer").await;
    let other = app.person("files-other@example.com", "Oz Other").await;
    let agent = app.person("files-agent@example.com", "Ada Agent").await;
    let agent_id = agent.id;
    app.db(move |c| agora::models::users::set_staff(c, agent_id, true).unwrap())
        .await;
    let n = open(&app, &consumer, &listing).await;
    let mine = format!("/me/tickets/{n}");
    let reply = format!("{mine}/reply");

    // A photo named as text: kept as what it is.
    let photo = png(2000);
    let done = send(
        &app,
        &consumer,
        &mine,
        &reply,
        &[("body", "Here is the tap.")],
        &[("tap.txt", photo.clone())],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = app.get_with(&consumer.client, &mine).await;
    page.assert_contains("tap.txt").assert_contains("image");
    let link = file_link(&page);
    let got = consumer.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    let h = got.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"tap.txt\"")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo);

    // The partner sees the public message's file; another consumer and a
    // visitor do not.
    assert_eq!(
        owner
            .client
            .get(app.url(&link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        other
            .client
            .get(app.url(&link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = crate::helpers::bare_client()
        .get(app.url(&link))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK);

    // The desk's internal note with a file: only staff may fetch it.
    let desk = format!("/desk/tickets/{n}");
    let desk_page = app.get_with(&agent.client, &desk).await;
    let marker = "name=\"seen\" value=\"";
    let seen_at = desk_page.body.find(marker).unwrap() + marker.len();
    let seen: String = desk_page.body[seen_at..].split('"').next().unwrap().into();
    let noted = send(
        &app,
        &agent,
        &desk,
        &format!("{desk}/reply"),
        &[
            ("body", "Plumber's invoice."),
            ("kind", "note"),
            ("seen", &seen),
        ],
        &[("invoice.pdf", b"%PDF-1.7 secret".to_vec())],
    )
    .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.body);
    let note_link = app
        .db(|c| {
            use agora::schema::attachments::dsl::*;
            let (i, f): (i64, String) = attachments
                .filter(filename.eq("invoice.pdf"))
                .select((id, filename))
                .first(c)
                .unwrap();
            format!("/attachments/{i}/{f}")
        })
        .await;
    assert_eq!(
        agent
            .client
            .get(app.url(&note_link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    for who in [&consumer, &owner] {
        assert_eq!(
            who.client
                .get(app.url(&note_link))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    let page = app.get_with(&consumer.client, &mine).await;
    assert!(!page.body.contains("invoice.pdf"));
    let partner_page = app
        .get_with(&owner.client, &format!("/partner/{slug}/tickets/{n}"))
        .await;
    partner_page.assert_contains("tap.txt");
    assert!(!partner_page.body.contains("invoice.pdf"));

    // The partner replies with a file too.
    let ppath = format!("/partner/{slug}/tickets/{n}");
    let sent = send(
        &app,
        &owner,
        &ppath,
        &format!("{ppath}/reply"),
        &[("body", "Our price list.")],
        &[("prices.csv", b"item,price\ntap,20\n".to_vec())],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    app.get_with(&consumer.client, &mine)
        .await
        .assert_contains("prices.csv");

    // Over the limits (64 KB each, 2 a message here): refused whole, the
    // text kept, nothing added.
    let before = message_count(&app, n).await;
    let big = send(
        &app,
        &consumer,
        &mine,
        &reply,
        &[("body", "A long video of the drip.")],
        &[("drip.mp4", png(70 * 1024))],
    )
    .await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);
    big.assert_contains("“drip.mp4” is larger than a file may be")
        .assert_contains("A long video of the drip.");
    let many = send(
        &app,
        &consumer,
        &mine,
        &reply,
        &[("body", "Three photos.")],
        &[("a.png", png(10)), ("b.png", png(11)), ("c.png", png(12))],
    )
    .await;
    assert_eq!(many.status, StatusCode::UNPROCESSABLE_ENTITY);
    many.assert_contains("one file too many")
        .assert_contains("Three photos.");
    assert_eq!(message_count(&app, n).await, before);

    // A form with files still needs its token.
    let forged = consumer
        .client
        .post(app.url(&reply))
        .multipart(Form::new().text("body", "No token."))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(message_count(&app, n).await, before);
}
both!(files_follow_their_message);

async fn emailed_files_and_deleted_tickets(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("mailfiles@example.com", "Mo Mailer").await;
    let agent = app.person("mailfiles-agent@example.com", "Ann Agent").await;
    let agent_id = agent.id;
    app.db(move |c| agora::models::users::set_staff(c, agent_id, true).unwrap())
        .await;
    let page = app
        .post_with(
            &consumer.client,
            "/me/tickets/new",
            &[
                ("subject", "Leak"),
                ("message", "Water on the floor."),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let n = 1001;
    let links = agora::support::Links::of(&app.settings);
    let root = agora::support::root_message_id(&links, n);
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let small = png(100);
    let raw = format!(
        "From: mailfiles@example.com\r\nTo: support@agora.test\r\nSubject: Re: Leak\r\nMessage-ID: <files-1@client.example>\r\nIn-Reply-To: {root}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPhotos attached.\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"floor.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--XX\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"huge.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--XX--\r\n",
        b64(&small),
        b64(&png(70 * 1024)),
    );
    let got = app.receive_mail(&raw).await;
    assert!(
        matches!(got, agora::mail::inbound::Received::Added { .. }),
        "{got:?}"
    );
    // The reply and its small file are kept; the large one is not, and
    // the sender is told.
    let desk = app
        .get_with(&agent.client, &format!("/desk/tickets/{n}"))
        .await;
    desk.assert_contains("Photos attached.")
        .assert_contains("floor.jpg");
    assert!(!desk.body.contains("huge.png"));
    let link = file_link(&desk);
    let res = agent.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), small);
    let told = app.mail.wait_for("mailfiles@example.com", 2).await;
    assert!(
        told.subject.starts_with("Some files were not kept"),
        "{}",
        told.subject
    );
    assert!(told.text.contains("huge.png"), "{}", told.text);

    // A file alone, without a word, is a reply too.
    let only = format!(
        "From: mailfiles@example.com\r\nTo: support@agora.test\r\nSubject: Re: Leak\r\nMessage-ID: <files-2@client.example>\r\nIn-Reply-To: {root}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"YY\"\r\n\r\n--YY\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"ceiling.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--YY--\r\n",
        b64(&png(50)),
    );
    let got = app.receive_mail(&only).await;
    assert!(
        matches!(got, agora::mail::inbound::Received::Added { .. }),
        "{got:?}"
    );
    app.get_with(&agent.client, &format!("/desk/tickets/{n}"))
        .await
        .assert_contains("ceiling.png");

    // The account goes, its tickets and their files with it (the file
    // once the clean-up sees nothing names it any more).
    let sha: String = app
        .db(|c| {
            use agora::schema::attachments::dsl::*;
            attachments.select(sha256).first(c).unwrap()
        })
        .await;
    let path = app.settings.attachments.path(&sha);
    assert!(path.exists());
    let deleted = app
        .post_with(
            &consumer.client,
            "/me/delete",
            &[("password", crate::helpers::PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(
        agent
            .client
            .get(app.url(&link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let rules = app.settings.attachments.clone();
    let removed = app
        .db(move |c| {
            use agora::schema::attachment_files::dsl::*;
            diesel::update(attachment_files)
                .set(created_at.eq(agora::models::now() - time::Duration::hours(2)))
                .execute(c)
                .unwrap();
            agora::support::attachments::purge_unnamed(c, &rules, 100).unwrap()
        })
        .await;
    assert!(removed >= 1);
    assert!(!path.exists(), "the file is still there");
}
both!(emailed_files_and_deleted_tickets);
