use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Page, Person, TestApp, request, seen_of, spawn_app};

async fn get(app: &TestApp, p: &Person, path: &str) -> Page {
    app.get_with(&p.client, path).await
}

async fn post(app: &TestApp, p: &Person, path: &str, fields: &[(&str, &str)]) -> Page {
    app.post_with(&p.client, path, fields).await
}

/// Opens a ticket as `who`, optionally about a listing; returns its number.
async fn open_ticket(app: &TestApp, who: &Person, subject: &str, listing: &str) -> i64 {
    crate::helpers::open_ticket(app, who, subject, listing, "normal").await
}

const NOTE: &str = "Internal: requester is a VIP, check refund policy";

async fn ticket_through_every_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("powner@example.com", "Paula Partner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let consumer = app.person("cons@example.com", "Connie Consumer").await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;

    // From the listing page.
    get(&app, &consumer, &format!("/listings/{lslug}"))
        .await
        .assert_contains(&format!("/me/tickets/new?listing={lslug}"));
    let form = get(&app, &consumer, &format!("/me/tickets/new?listing={lslug}")).await;
    form.assert_contains("About “Dog walks” by Walkies");
    let bad = post(
        &app,
        &consumer,
        "/me/tickets/new",
        &[
            ("subject", ""),
            ("message", "kept words"),
            ("priority", "normal"),
            ("listing", &lslug),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("kept words");
    let number = open_ticket(&app, &consumer, "Walker missing", &lslug).await;
    assert_eq!(number, 1001);
    let confirm = app.mail.wait_for("cons@example.com", 1).await;
    assert_eq!(confirm.subject, "[#1001] Walker missing");
    let root = confirm.message_id.clone();
    assert!(root.starts_with("<ticket-1001."), "{root}");
    get(&app, &consumer, "/me/tickets")
        .await
        .assert_contains("Walker missing");

    // The desk: unassigned queue, assign to self, internal note.
    assert_eq!(
        get(&app, &consumer, "/desk").await.status,
        StatusCode::NOT_FOUND
    );
    let desk = get(&app, &agent, "/desk?queue=unassigned").await;
    desk.assert_contains("Walker missing");
    desk.assert_contains("cons@example.com");
    post(
        &app,
        &agent,
        "/desk/tickets/1001/assign",
        &[("assignee", "me")],
    )
    .await;
    get(&app, &agent, "/desk?queue=mine")
        .await
        .assert_contains("Walker missing");
    assert!(
        !get(&app, &agent, "/desk?queue=unassigned")
            .await
            .body
            .contains("Walker missing")
    );
    let page = get(&app, &agent, "/desk/tickets/1001").await;
    let seen = seen_of(&page.body);
    post(
        &app,
        &agent,
        "/desk/tickets/1001/reply",
        &[("body", NOTE), ("kind", "note"), ("seen", &seen)],
    )
    .await;

    // A canned reply, placeholders filled, sent publicly.
    post(
        &app,
        &agent,
        "/desk/canned",
        &[
            ("title", "Sorry"),
            (
                "body",
                "Hello {{name}}, sorry about {{ticket}}. — {{agent}}",
            ),
        ],
    )
    .await;
    let cid = app
        .db(|c| agora::models::tickets::canned(c).unwrap()[0].id)
        .await;
    let page = get(&app, &agent, &format!("/desk/tickets/1001?canned={cid}")).await;
    page.assert_contains("Hello Connie Consumer, sorry about #1001. — Alex Agent");
    page.assert_contains(NOTE);
    let seen = seen_of(&page.body);
    let r = post(
        &app,
        &agent,
        "/desk/tickets/1001/reply",
        &[
            (
                "body",
                "Hello Connie Consumer, sorry about #1001. — Alex Agent",
            ),
            ("kind", "reply"),
            ("seen", &seen),
            ("then", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let reply = app.mail.wait_for("cons@example.com", 2).await;
    assert_eq!(reply.subject, "[#1001] Walker missing");
    assert_eq!(reply.in_reply_to.as_deref(), Some(root.as_str()));
    assert_eq!(reply.references.as_deref(), Some(root.as_str()));
    assert!(reply.text.contains("sorry about #1001"));
    let t = app
        .db(|c| agora::models::tickets::by_number(c, 1001).unwrap().unwrap())
        .await;
    assert_eq!(t.status, "open");
    assert!(t.first_response_at.is_some());

    // The partner: sees the public thread, never the note; replies publicly.
    let list = get(&app, &owner, &format!("/partner/{pslug}/tickets")).await;
    list.assert_contains("Walker missing");
    let ppage = get(&app, &owner, &format!("/partner/{pslug}/tickets/1001")).await;
    ppage.assert_contains("sorry about #1001");
    assert!(!ppage.body.contains(NOTE));
    post(
        &app,
        &owner,
        &format!("/partner/{pslug}/tickets/1001/reply"),
        &[("body", "We will send a new walker tomorrow.")],
    )
    .await;

    // The consumer sees the partner's reply labelled with its name; no note.
    let cpage = get(&app, &consumer, "/me/tickets/1001").await;
    cpage.assert_contains("<strong>Walkies</strong>");
    cpage.assert_contains("We will send a new walker tomorrow.");
    assert!(!cpage.body.contains(NOTE));
    post(
        &app,
        &consumer,
        "/me/tickets/1001/reply",
        &[("body", "Thanks, tomorrow works.")],
    )
    .await;
    let to_agent = app.mail.wait_for("agent@example.com", 1).await;
    assert!(to_agent.text.contains("Thanks, tomorrow works."));
    assert_eq!(to_agent.in_reply_to.as_deref(), Some(root.as_str()));

    // Resolve: the consumer gets the survey with five links.
    let r = post(
        &app,
        &agent,
        "/desk/tickets/1001/status",
        &[("status", "resolved")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let survey = app.mail.wait_for("cons@example.com", 4).await;
    assert!(survey.text.contains("How did we do?"), "{}", survey.text);
    let link = survey.link(&app.url("/satisfaction/1001/"));
    assert!(link.ends_with("rating=1"));
    let path = link
        .strip_prefix(&app.address)
        .unwrap()
        .replace("rating=1", "rating=5");
    let opened = app.get(&path).await;
    assert_eq!(opened.status, StatusCode::OK);
    opened.assert_contains("value=\"5\" checked");
    let base = path.split('?').next().unwrap().to_string();
    let rated = app.post(&base, &[("rating", "5"), ("comment", "")]).await;
    assert_eq!(rated.status, StatusCode::OK);
    rated.assert_contains("Your rating: 5 stars.");

    // No page or email shown outside the desk carries the internal note.
    for m in app.mail.all() {
        assert!(
            !m.text.contains(NOTE) && !m.html.contains(NOTE),
            "note leaked in {}",
            m.subject
        );
    }
    for p in [
        get(&app, &consumer, "/me/tickets/1001").await,
        get(&app, &owner, &format!("/partner/{pslug}/tickets/1001")).await,
        app.get(&path).await,
    ] {
        assert!(!p.body.contains(NOTE), "note leaked on {}", p.url);
    }
    let kinds = app
        .db(move |c| {
            use agora::schema::activities::dsl::*;
            use diesel::prelude::*;
            activities
                .filter(partner_id.eq(Some(pid)))
                .select(kind)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(
        kinds.contains(&"ticket_opened".to_string())
            && kinds.contains(&"ticket_answered".to_string())
    );
}
both!(ticket_through_every_role);

async fn who_may_see_a_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let a_owner = app.person("ao@example.com", "A").await;
    let b_owner = app.person("bo@example.com", "B").await;
    let (a_id, a_slug) = app.partner("Alpha", &a_owner).await;
    let (_, b_slug) = app.partner("Beta", &b_owner).await;
    let (_, lslug) = app.listing(a_id, "Alpha service", "x", true).await;
    let consumer = app.person("c1@example.com", "C1").await;
    let other = app.person("c2@example.com", "C2").await;
    let number = open_ticket(&app, &consumer, "About alpha", &lslug).await;
    let plain = open_ticket(&app, &consumer, "General question", "").await;

    assert_eq!(
        get(&app, &consumer, &format!("/me/tickets/{number}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &other, &format!("/me/tickets/{number}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(
            &app,
            &other,
            &format!("/me/tickets/{number}/reply"),
            &[("body", "hi")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &app,
            &a_owner,
            &format!("/partner/{a_slug}/tickets/{number}")
        )
        .await
        .status,
        StatusCode::OK
    );
    // A ticket not about the partner, and another partner's member.
    assert_eq!(
        get(
            &app,
            &a_owner,
            &format!("/partner/{a_slug}/tickets/{plain}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &app,
            &b_owner,
            &format!("/partner/{b_slug}/tickets/{number}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &app,
            &b_owner,
            &format!("/partner/{a_slug}/tickets/{number}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(
            &app,
            &b_owner,
            &format!("/partner/{b_slug}/tickets/{number}/reply"),
            &[("body", "x")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !get(&app, &b_owner, &format!("/partner/{b_slug}/tickets"))
            .await
            .body
            .contains("About alpha")
    );
    // Desk: staff only.
    for p in [&consumer, &a_owner] {
        assert_eq!(
            get(&app, p, &format!("/desk/tickets/{number}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            post(
                &app,
                p,
                &format!("/desk/tickets/{number}/status"),
                &[("status", "resolved")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
    // Anonymous: sent to sign in.
    let anon = app.get(&format!("/me/tickets/{number}")).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anon.headers["location"],
        format!("/login?next=/me/tickets/{number}").as_str()
    );
    assert_eq!(app.get("/desk").await.status, StatusCode::SEE_OTHER);
    let agent = app.staff("ag@example.com", "Ag").await;
    assert_eq!(
        get(&app, &agent, &format!("/desk/tickets/{number}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &agent, "/desk/tickets/999999").await.status,
        StatusCode::NOT_FOUND
    );
}
both!(who_may_see_a_ticket);

async fn a_reply_is_never_sent_blind(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("cc@example.com", "Cc").await;
    let one = app.staff("one@example.com", "Agent One").await;
    let two = app.staff("two@example.com", "Agent Two").await;
    let number = open_ticket(&app, &consumer, "Collision", "").await;
    let page = get(&app, &one, &format!("/desk/tickets/{number}")).await;
    let seen = seen_of(&page.body);
    // Agent two answers first.
    let page2 = get(&app, &two, &format!("/desk/tickets/{number}")).await;
    post(
        &app,
        &two,
        &format!("/desk/tickets/{number}/reply"),
        &[
            ("body", "Answer from two"),
            ("kind", "reply"),
            ("seen", &seen_of(&page2.body)),
        ],
    )
    .await;
    // Agent one's reply, written against the old page, is held back.
    let held = post(
        &app,
        &one,
        &format!("/desk/tickets/{number}/reply"),
        &[
            ("body", "My careful draft"),
            ("kind", "reply"),
            ("seen", &seen),
        ],
    )
    .await;
    assert_eq!(held.status, StatusCode::CONFLICT);
    held.assert_contains("Someone replied while you were writing.");
    held.assert_contains("My careful draft");
    held.assert_contains("Answer from two");
    held.assert_contains("new-message");
    let count = app
        .db(move |c| {
            let t = agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap();
            agora::models::tickets::messages(c, t.id, true)
                .unwrap()
                .len()
        })
        .await;
    assert_eq!(count, 2, "the draft was not sent");
    // Having seen it, the agent sends.
    let ok = post(
        &app,
        &one,
        &format!("/desk/tickets/{number}/reply"),
        &[
            ("body", "My careful draft"),
            ("kind", "reply"),
            ("seen", &seen_of(&held.body)),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}
both!(a_reply_is_never_sent_blind);

async fn statuses_surveys_and_closing(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("s@example.com", "Sue").await;
    let agent = app.staff("sa@example.com", "Sam").await;
    let number = open_ticket(&app, &consumer, "Status test", "").await;
    let desk = |p: &str| format!("/desk/tickets/{number}{p}");
    // Illegal: new → closed.
    post(&app, &agent, &desk("/status"), &[("status", "closed")]).await;
    get(&app, &agent, &desk(""))
        .await
        .assert_contains("not allowed from the current status");
    post(&app, &agent, &desk("/status"), &[("status", "pending")]).await;
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.status, "pending");
    assert!(
        t.paused_since.is_some(),
        "the clock is paused while waiting"
    );
    // The consumer's reply reopens and restarts the clock.
    post(
        &app,
        &consumer,
        &format!("/me/tickets/{number}/reply"),
        &[("body", "Here is the info")],
    )
    .await;
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.status, "open");
    assert!(t.paused_since.is_none());
    post(&app, &agent, &desk("/status"), &[("status", "resolved")]).await;
    let survey = app.mail.wait_for("s@example.com", 2).await;
    let link = survey.link(&app.url(&format!("/satisfaction/{number}/")));
    let base = link
        .strip_prefix(&app.address)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();

    // Valid, then used again to change, with a comment.
    app.post(&base, &[("rating", "2"), ("comment", "")])
        .await
        .assert_contains("Your rating: 2 stars.");
    app.post(&base, &[("rating", "4"), ("comment", "")])
        .await
        .assert_contains("Your rating: 4 stars.");
    let with_comment = app
        .post(&base, &[("rating", "4"), ("comment", "Quick and kind")])
        .await;
    with_comment.assert_contains("Thank you for your feedback.");
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(
        (t.satisfaction_rating, t.satisfaction_comment.as_deref()),
        (Some(4), Some("Quick and kind"))
    );
    // Tampered: 404 and nothing changes.
    let tampered = format!("{}x?rating=1", base);
    assert_eq!(app.get(&tampered).await.status, StatusCode::NOT_FOUND);
    let other_number = base.replace(&format!("/{number}/"), "/9999/");
    assert_eq!(
        app.get(&format!("{other_number}?rating=1")).await.status,
        StatusCode::NOT_FOUND
    );
    // Rating on the ticket page works too.
    post(
        &app,
        &consumer,
        &format!("/me/tickets/{number}/rate"),
        &[("rating", "5"), ("comment", "")],
    )
    .await;
    // A reply reopens a resolved ticket.
    post(
        &app,
        &consumer,
        &format!("/me/tickets/{number}/reply"),
        &[("body", "Actually, one more thing")],
    )
    .await;
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.status, "open");
    post(&app, &agent, &desk("/status"), &[("status", "resolved")]).await;

    // Resolved tickets close by themselves after seven days.
    let ticket_number = number;
    app.db(move |c| {
        use agora::schema::tickets::dsl::*;
        use diesel::prelude::*;
        diesel::update(tickets.filter(number.eq(ticket_number)))
            .set(resolved_at.eq(Some(agora::models::now() - time::Duration::days(8))))
            .execute(c)
            .unwrap();
        let cfg = agora::models::tickets::sla_config(c).unwrap();
        assert_eq!(
            agora::models::tickets::close_stale(
                c,
                agora::startup::RESOLVED_TICKETS_CLOSE_AFTER,
                &cfg
            )
            .unwrap(),
            1
        );
    })
    .await;
    let closed = get(&app, &consumer, &format!("/me/tickets/{number}")).await;
    closed.assert_contains("This ticket is closed.");
    closed.assert_contains(&format!("/me/tickets/new?follow={number}"));
    assert!(
        !closed
            .body
            .contains(&format!("action=\"/me/tickets/{number}/reply\""))
    );
    let refused = post(
        &app,
        &consumer,
        &format!("/me/tickets/{number}/reply"),
        &[("body", "hello?")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    // Staff may still note things on a closed ticket, but not reply.
    let page = get(&app, &agent, &desk("")).await;
    let note = post(
        &app,
        &agent,
        &desk("/reply"),
        &[
            ("body", "Closed, noted for the record"),
            ("kind", "note"),
            ("seen", &seen_of(&page.body)),
        ],
    )
    .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    get(&app, &agent, &desk(""))
        .await
        .assert_contains("Closed, noted for the record");
    let page = get(&app, &agent, &desk("")).await;
    let public = post(
        &app,
        &agent,
        &desk("/reply"),
        &[
            ("body", "Hello again"),
            ("kind", "reply"),
            ("seen", &seen_of(&page.body)),
        ],
    )
    .await;
    assert_eq!(public.status, StatusCode::CONFLICT);
    // After closing, the survey link no longer changes anything.
    let gone = app.get(&format!("{base}?rating=1")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.satisfaction_rating, Some(5));
    get(&app, &consumer, &format!("/me/tickets/new?follow={number}"))
        .await
        .assert_contains(&format!("Follow-up to #{number}"));
}
both!(statuses_surveys_and_closing);

async fn sla_settings_queues_and_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("sla@example.com").await;
    let consumer = app.person("q@example.com", "Quinn").await;
    let bad = post(
        &app,
        &admin,
        "/admin/sla",
        &[
            ("first_urgent", "0"),
            ("resolution_urgent", "4"),
            ("first_high", "4"),
            ("resolution_high", "2"),
            ("first_normal", "8"),
            ("resolution_normal", "72"),
            ("first_low", "24"),
            ("resolution_low", "168"),
            ("time_zone", "Mars/Olympus"),
            ("schedule", "weekdays"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("greater than zero");
    bad.assert_contains("cannot be shorter");
    bad.assert_contains("value=\"weekdays\"");
    let ok = post(
        &app,
        &admin,
        "/admin/sla",
        &[
            ("first_urgent", "2"),
            ("resolution_urgent", "6"),
            ("first_high", "4"),
            ("resolution_high", "24"),
            ("first_normal", "8"),
            ("resolution_normal", "72"),
            ("first_low", "24"),
            ("resolution_low", "168"),
            ("time_zone", "UTC"),
            ("schedule", "24x7"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    let number = open_ticket(&app, &consumer, "Printer on fire", "").await;
    let second = open_ticket(&app, &consumer, "Small question", "").await;
    // Raising the priority recomputes the due times from the start.
    post(
        &app,
        &admin,
        &format!("/desk/tickets/{number}/priority"),
        &[("priority", "urgent")],
    )
    .await;
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.priority, "urgent");
    assert_eq!(
        t.first_response_due.unwrap() - t.created_at,
        time::Duration::hours(2)
    );
    assert_eq!(
        t.resolution_due.unwrap() - t.created_at,
        time::Duration::hours(6)
    );
    // Overdue tickets show in the breaching queue, soonest first.
    let second_number = second;
    app.db(move |c| {
        use agora::schema::tickets::dsl::*;
        use diesel::prelude::*;
        diesel::update(tickets.filter(number.eq(second_number)))
            .set(first_response_due.eq(Some(agora::models::now() - time::Duration::minutes(5))))
            .execute(c)
            .unwrap();
    })
    .await;
    let breaching = get(&app, &admin, "/desk?queue=breaching").await;
    breaching.assert_contains("Small question");
    breaching.assert_contains("Overdue");
    assert!(!breaching.body.contains("Printer on fire"));
    let all = get(&app, &admin, "/desk?queue=open").await;
    let (a, b) = (
        all.body.find("Small question").unwrap(),
        all.body.find("Printer on fire").unwrap(),
    );
    assert!(a < b, "sorted by due time");
    // Search by number, by email, by subject.
    get(&app, &admin, &format!("/desk?queue=open&q=%23{number}"))
        .await
        .assert_contains("One ticket.");
    get(&app, &admin, "/desk?queue=open&q=q%40example.com")
        .await
        .assert_contains("2 tickets.");
    get(&app, &admin, "/desk?queue=open&q=printer")
        .await
        .assert_contains("One ticket.");
    get(&app, &admin, "/desk?queue=open&priority=urgent")
        .await
        .assert_contains("One ticket.");

    // Reports: one resolved with a rating.
    post(
        &app,
        &admin,
        &format!("/desk/tickets/{number}/assign"),
        &[("assignee", "me")],
    )
    .await;
    let page = get(&app, &admin, &format!("/desk/tickets/{number}")).await;
    post(
        &app,
        &admin,
        &format!("/desk/tickets/{number}/reply"),
        &[
            ("body", "On it"),
            ("kind", "reply"),
            ("seen", &seen_of(&page.body)),
            ("then", "resolved"),
        ],
    )
    .await;
    let t = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(t.status, "resolved");
    app.db(move |c| agora::models::tickets::rate(c, &t, 4, Some("ok")).unwrap())
        .await;
    let report = get(&app, &admin, "/desk/reports").await;
    assert_eq!(report.status, StatusCode::OK);
    report.assert_contains("<th scope=\"row\">All tickets</th><td>2</td><td>1</td>");
    report.assert_contains("★ 4.0");
    report.assert_contains("<svg role=\"img\"");
    report.assert_contains("4 stars: 1");
    report.assert_contains("100 %");
    let bad_period = get(&app, &admin, "/desk/reports?from=yesterday").await;
    bad_period.assert_contains("Enter a date like 2026-11-25.");
    assert_eq!(
        get(&app, &consumer, "/desk/reports").await.status,
        StatusCode::NOT_FOUND
    );
}
both!(sla_settings_queues_and_reports);

async fn canned_replies_and_assignment_emails(backend: Backend) {
    let app = spawn_app(backend).await;
    let lead = app.staff("lead@example.com", "Lee Lead").await;
    let helper = app.staff("helper@example.com", "Hal Helper").await;
    let consumer = app.person("cr@example.com", "Cara").await;
    let bad = post(
        &app,
        &lead,
        "/desk/canned",
        &[("title", ""), ("body", "kept canned body")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("kept canned body");
    post(
        &app,
        &lead,
        "/desk/canned",
        &[("title", "Hello"), ("body", "Hi {{name}}")],
    )
    .await;
    let id = app
        .db(|c| agora::models::tickets::canned(c).unwrap()[0].id)
        .await;
    post(
        &app,
        &lead,
        &format!("/desk/canned/{id}"),
        &[("title", "Greeting"), ("body", "Hello {{name}}!")],
    )
    .await;
    let list = get(&app, &lead, "/desk/canned").await;
    list.assert_contains("Greeting");
    list.assert_contains("Hello {{name}}!");
    post(&app, &lead, &format!("/desk/canned/{id}/delete"), &[]).await;
    assert!(
        !get(&app, &lead, "/desk/canned")
            .await
            .body
            .contains("Greeting")
    );
    assert_eq!(
        post(&app, &lead, &format!("/desk/canned/{id}/delete"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &consumer, "/desk/canned").await.status,
        StatusCode::NOT_FOUND
    );

    // Assigning to a colleague emails them, in the ticket's thread.
    let number = open_ticket(&app, &consumer, "Who takes this?", "").await;
    let root = app.mail.wait_for("cr@example.com", 1).await.message_id;
    post(
        &app,
        &lead,
        &format!("/desk/tickets/{number}/assign"),
        &[("assignee", &helper.id.to_string())],
    )
    .await;
    let mail = app.mail.wait_for("helper@example.com", 1).await;
    assert_eq!(mail.subject, format!("[#{number}] Who takes this?"));
    assert!(mail.text.contains("was assigned to you"));
    assert_eq!(mail.in_reply_to.as_deref(), Some(root.as_str()));
    get(&app, &helper, "/desk?queue=mine")
        .await
        .assert_contains("Who takes this?");
    // Only staff can be assignees.
    let r = post(
        &app,
        &lead,
        &format!("/desk/tickets/{number}/assign"),
        &[("assignee", &consumer.id.to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
both!(canned_replies_and_assignment_emails);

/// Index of `text` in `body`, failing when it is missing.
fn at(body: &str, text: &str) -> usize {
    body.find(text)
        .unwrap_or_else(|| panic!("{text:?} missing from:\n{body}"))
}

async fn the_desk_sees_who_asks(backend: Backend) {
    let app = spawn_app(backend).await;
    let walker = app.person("walker@example.com", "Wal").await;
    let (wid, _) = app.partner("Walkies", &walker).await;
    let (_, walks) = app.listing(wid, "Dog walks", "Walks.", true).await;
    let sitter = app.person("sitter@example.com", "Sit").await;
    let (sid, _) = app.partner("Acme Cats", &sitter).await;
    let (_, sitting) = app.listing(sid, "Cat sitting", "Sits.", true).await;
    let (_, grooming) = app.listing(sid, "Cat grooming", "Grooms.", true).await;
    let carla = app.person("carla@example.com", "Carla").await;
    let other = app.person("other@example.com", "Otto").await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    for (listing, share) in [(&walks, true), (&sitting, false), (&grooming, false)] {
        request(&app, &carla, listing, "Hello there", share).await;
    }
    let page = post(
        &app,
        &carla,
        &format!("/listings/{walks}/review"),
        &[("rating", "4"), ("body", "Good walks.")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let first = open_ticket(&app, &carla, "First question", "").await;
    let second = open_ticket(&app, &carla, "Second question", &walks).await;
    let third = open_ticket(&app, &carla, "Third question", "").await;
    open_ticket(&app, &other, "Not hers", "").await;

    let url = format!("/desk/tickets/{second}");
    let shown = get(&app, &agent, &url).await;
    assert_eq!(shown.status, StatusCode::OK);
    // Refused input shows the same surroundings, read by the ticket's id.
    let refused = post(
        &app,
        &agent,
        &format!("{url}/reply"),
        &[
            ("body", ""),
            ("kind", "reply"),
            ("seen", &seen_of(&shown.body)),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for page in [&shown, &refused] {
        let body = &page.body;
        // Her other tickets, newest first, never this one or another's.
        let third_at = at(body, &format!("#{third} Third question"));
        let first_at = at(body, &format!("#{first} First question"));
        assert!(third_at < first_at);
        assert!(!body.contains(&format!("#{second} Second question</a>")));
        assert!(!body.contains("Not hers"));
        assert!(!body.contains("All tickets from this requester"));
        // Her requests, one line per partner, partners and titles in order.
        let cats = at(body, "Acme Cats: Cat grooming, Cat sitting");
        assert!(cats < at(body, "Walkies: Dog walks"));
        at(body, "4 stars · Dog walks");
        assert!(!body.contains("Only the first"));
    }

    // A requester with more reviews than the page shows: it says so.
    let mut extra = Vec::new();
    for i in 0..agora::models::tickets::CONTEXT_ROWS {
        let title = format!("Extra walk {i}");
        extra.push(app.listing(wid, &title, "More walks.", true).await.0);
    }
    let carla_id = carla.id;
    app.db(move |c| {
        use agora::schema::reviews::dsl::*;
        use diesel::prelude::*;
        let t = agora::models::now();
        for listing in extra {
            diesel::insert_into(reviews)
                .values((
                    listing_id.eq(listing),
                    partner_id.eq(wid),
                    consumer_id.eq(carla_id),
                    rating.eq(2),
                    body.eq("Again."),
                    created_at.eq(t),
                    updated_at.eq(t),
                ))
                .execute(c)
                .unwrap();
        }
    })
    .await;
    let body = get(&app, &agent, &url).await.body;
    at(&body, "Only the first 100 are shown.");
    assert_eq!(body.matches("2 stars · Extra walk ").count(), 100);
    // Newest first: the oldest review, rated 4, is the one left out.
    assert!(!body.contains("4 stars · Dog walks"));
}
both!(the_desk_sees_who_asks);
