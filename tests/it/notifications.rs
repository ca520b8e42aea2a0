//! Email preferences: each optional kind goes only to people who want it,
//! every optional email carries a one-click link that turns off exactly
//! its kind, partner members may take a daily digest instead, and staff
//! are warned once before an SLA target is missed.

use std::time::Duration;

use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, bare_client, open_ticket, seen_of, spawn_app};

async fn wants(app: &TestApp, who: &Person, kind: &str) -> bool {
    let (id, kind) = (
        who.id,
        agora::models::preferences::Kind::parse(kind).unwrap(),
    );
    app.db(move |c| agora::models::preferences::wants(c, id, kind).unwrap())
        .await
}

/// Saves the preferences page with exactly these kinds ticked.
async fn choose(app: &TestApp, who: &Person, on: &[&str]) {
    let fields: Vec<(&str, &str)> = on.iter().map(|k| ("on", *k)).collect();
    let page = app
        .post_with(&who.client, "/me/notifications", &fields)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// Asks about the listing (without consent), then reviews it.
async fn review(app: &TestApp, who: &Person, listing: &str, body: &str) {
    let page = app
        .post_with(
            &who.client,
            &format!("/listings/{listing}/engage"),
            &[("message", "Saturday mornings?")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = app
        .post_with(
            &who.client,
            &format!("/listings/{listing}/review"),
            &[("rating", "4"), ("body", body)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// Waits a moment for mail that should not come, then counts those to
/// `to` whose subject holds `subject`.
async fn count_after_a_while(app: &TestApp, to: &str, subject: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.mail
        .to(to)
        .iter()
        .filter(|m| m.subject.contains(subject))
        .count()
}

async fn the_link_turns_off_its_kind_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("np-owner@example.com", "Olga").await;
    let member = app.person("np-member@example.com", "Max").await;
    let (pid, _) = app.partner("Notice Board", &owner).await;
    app.add_member(pid, &member, "member").await;
    let (_, listing) = app
        .listing(pid, "Piano lessons", "Scales and songs.", true)
        .await;
    let alice = app.person("np-alice@example.com", "Alice").await;
    review(&app, &alice, &listing, "Patient teacher, lovely songs.").await;

    // Both members hear of the request and the review; without consent
    // neither names the consumer, their address or their words.
    let request = app
        .mail
        .wait_about("np-owner@example.com", "New request", 1)
        .await;
    assert!(
        request
            .link(&app.url("/unsubscribe/email/"))
            .contains("/partner_requests/")
    );
    for text in ["Alice", "np-alice@example.com", "Saturday"] {
        assert!(!request.text.contains(text), "{}", request.text);
    }
    let mail = app
        .mail
        .wait_about("np-owner@example.com", "New review of Piano lessons", 1)
        .await;
    assert!(mail.text.contains("Patient teacher"), "{}", mail.text);
    assert!(!mail.text.contains("Alice"), "{}", mail.text);
    assert!(mail.text.contains("/me/notifications"), "{}", mail.text);
    app.mail
        .wait_about("np-member@example.com", "New review", 1)
        .await;
    app.mail
        .wait_about("np-member@example.com", "New request", 1)
        .await;
    let link = mail.link(&app.url("/unsubscribe/email/"));
    assert!(link.contains("/partner_reviews/"), "{link}");
    assert!(
        mail.raw.contains(&format!("List-Unsubscribe: <{link}>")),
        "{}",
        mail.raw
    );
    assert!(
        mail.raw
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    );
    let path = link.strip_prefix(&app.address).unwrap().to_string();

    // Opening the link asks and changes nothing; a changed signature, or
    // the signature on another kind or person, finds nothing.
    let question = bare_client()
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        question.contains("Stop emails of the kind &quot;New reviews&quot;?")
            || question.contains("Stop emails of the kind &#34;New reviews&#34;?"),
        "{question}"
    );
    assert!(wants(&app, &owner, "partner_reviews").await);
    for forged in [
        format!("{path}x"),
        path.replace("/partner_reviews/", "/partner_requests/"),
        path.replace(
            &format!("/email/{}/", owner.id),
            &format!("/email/{}/", member.id),
        ),
    ] {
        let res = bare_client().post(app.url(&forged)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{forged}");
    }
    // The mail client's one-click POST: no cookie, no CSRF token.
    let res = bare_client()
        .post(app.url(&path))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!wants(&app, &owner, "partner_reviews").await);
    assert!(wants(&app, &owner, "partner_requests").await);
    assert!(wants(&app, &owner, "partner_tickets").await);
    assert!(wants(&app, &member, "partner_reviews").await);

    // The next review reaches the member only; Bob's request still
    // reaches the owner (its own kind).
    let bob = app.person("np-bob@example.com", "Bob").await;
    review(&app, &bob, &listing, "Good value.").await;
    app.mail
        .wait_about("np-member@example.com", "New review", 2)
        .await;
    app.mail
        .wait_about("np-owner@example.com", "New request", 2)
        .await;
    assert_eq!(
        count_after_a_while(&app, "np-owner@example.com", "New review").await,
        1
    );
}
both!(the_link_turns_off_its_kind_only);

async fn consumer_and_staff_kinds_follow_the_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("nc-owner@example.com", "Olga").await;
    let (pid, slug) = app.partner("Answering Co", &owner).await;
    let (_, listing) = app.listing(pid, "Guitar repair", "Strings.", true).await;
    let carol = app.person("nc-carol@example.com", "Carol").await;

    // The page shows the consumer's kinds and what is always sent; a
    // consumer without a team or desk sees neither of those sections.
    let page = app.get_with(&carol.client, "/me/notifications").await;
    page.assert_contains("Replies to my reviews");
    page.assert_contains("Satisfaction surveys");
    page.assert_contains("Always sent");
    assert!(!page.body.contains("Daily digest instead"));
    assert!(!page.body.contains("Tickets assigned to me"));

    review(&app, &carol, &listing, "Fixed in a day.").await;
    let review_id = app
        .db(move |c| {
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews.select(id).first::<i64>(c).unwrap()
        })
        .await;
    let reply = |review_id: i64, text: &'static str| {
        let (app, owner, slug) = (&app, &owner, slug.clone());
        async move {
            let page = app
                .post_with(
                    &owner.client,
                    &format!("/partner/{slug}/reviews/{review_id}/reply"),
                    &[("reply", text)],
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        }
    };
    reply(review_id, "Thank you, Carol!").await;
    let mail = app
        .mail
        .wait_about(
            "nc-carol@example.com",
            "Answering Co replied to your review",
            1,
        )
        .await;
    assert!(mail.text.contains("Thank you, Carol!"));
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/review_replies/")
    );

    // An edited reply is no news.
    reply(review_id, "Thank you very much, Carol!").await;
    assert_eq!(
        count_after_a_while(&app, "nc-carol@example.com", "replied to your review").await,
        1
    );

    // Turned off on the page: the reply to her next review sends nothing,
    // surveys stay.
    choose(&app, &carol, &["surveys"]).await;
    assert!(!wants(&app, &carol, "review_replies").await);
    assert!(wants(&app, &carol, "surveys").await);
    app.get_with(&carol.client, "/me/notifications")
        .await
        .assert_contains("value=\"surveys\" checked");
    let (_, second) = app.listing(pid, "Violin repair", "Bows.", true).await;
    review(&app, &carol, &second, "Good bow.").await;
    let second_id = app
        .db(move |c| {
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews.order(id.desc()).select(id).first::<i64>(c).unwrap()
        })
        .await;
    assert_ne!(second_id, review_id);
    reply(second_id, "We changed the strings too.").await;
    assert_eq!(
        count_after_a_while(&app, "nc-carol@example.com", "replied to your review").await,
        1
    );

    // Surveys: the resolution notice asks for a rating only while on.
    let agent = app.staff("nc-agent@example.com", "Ash").await;
    let resolve = |subject: &'static str| {
        let (app, carol, agent) = (&app, &carol, &agent);
        async move {
            let number = open_ticket(app, carol, subject, "", "normal").await;
            let desk = app
                .get_with(&agent.client, &format!("/desk/tickets/{number}"))
                .await;
            let seen = seen_of(&desk.body);
            let reply: &[(&str, &str)] = &[
                ("body", "Done for you."),
                ("kind", "reply"),
                ("seen", &seen),
            ];
            let status: &[(&str, &str)] = &[("status", "resolved")];
            for (path, fields) in [("reply", reply), ("status", status)] {
                let page = app
                    .post_with(
                        &agent.client,
                        &format!("/desk/tickets/{number}/{path}"),
                        fields,
                    )
                    .await;
                assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
            }
            // The confirmation, the reply, then the resolution notice.
            app.mail
                .wait_about("nc-carol@example.com", subject, 3)
                .await
        }
    };
    let resolved = resolve("Broken string").await;
    assert!(
        resolved.text.contains("How did we do?"),
        "{}",
        resolved.text
    );
    assert!(resolved.raw.contains("List-Unsubscribe:"));
    choose(&app, &carol, &[]).await;
    let resolved = resolve("Another string").await;
    assert!(
        !resolved.text.contains("How did we do?"),
        "{}",
        resolved.text
    );
    assert!(
        !resolved.raw.contains("List-Unsubscribe:"),
        "{}",
        resolved.raw
    );

    // Staff see their own kinds; assignment mail follows the setting.
    let page = app.get_with(&agent.client, "/me/notifications").await;
    page.assert_contains("Tickets assigned to me");
    page.assert_contains("SLA about to be missed");
}
both!(consumer_and_staff_kinds_follow_the_page);

async fn members_may_take_one_digest_a_day(backend: Backend) {
    use agora::domain::zone::Zone;
    let app = spawn_app(backend).await;
    let owner = app.person("nd-owner@example.com", "Olga").await;
    let (pid, _) = app.partner("Digest Works", &owner).await;
    let (_, listing) = app.listing(pid, "Bike service", "Chains.", true).await;
    let page = app.get_with(&owner.client, "/me/notifications").await;
    page.assert_contains("Daily digest instead");
    choose(
        &app,
        &owner,
        &[
            "partner_requests",
            "partner_reviews",
            "partner_tickets",
            "partner_digest",
        ],
    )
    .await;
    let dan = app.person("nd-dan@example.com", "Dan").await;
    review(&app, &dan, &listing, "Quick and tidy.").await;
    let page = app
        .post_with(&dan.client, &format!("/listings/{listing}/engage"), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // Nothing one by one.
    assert_eq!(
        count_after_a_while(&app, "nd-owner@example.com", "").await,
        0
    );

    // The next 09:00 UTC after now: past 08:00 on the owner's (the
    // platform's) clock, and within a day of what happened.
    let now = agora::models::now();
    let mut at = time::PrimitiveDateTime::new(now.date(), time::macros::time!(09:00));
    if at <= now {
        at += time::Duration::days(1);
    }
    let links = agora::support::Links::of(&app.settings);
    let pass = move |at: time::PrimitiveDateTime| {
        let links = links.clone();
        move |c: &mut agora::db::AnyConnection| {
            agora::mail::notify::run_pass(c, &links, &Zone::utc(), at)
                .unwrap()
                .unwrap()
        }
    };
    let (digests, _) = app.db(pass(at)).await;
    assert_eq!(digests, 1);
    let mail = app
        .mail
        .wait_about("nd-owner@example.com", "Your daily digest", 1)
        .await;
    assert!(
        mail.text
            .contains("Digest Works: 1 request, 1 review, 0 tickets"),
        "{}",
        mail.text
    );
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/partner_digest/")
    );
    // Once a day: an hour later, nothing more.
    let (digests, _) = app.db(pass(at + time::Duration::hours(1))).await;
    assert_eq!(digests, 0);
    // The next morning again, but a day with nothing new sends nothing.
    let (digests, _) = app.db(pass(at + time::Duration::days(1))).await;
    assert_eq!(digests, 0);
    assert_eq!(
        count_after_a_while(&app, "nd-owner@example.com", "").await,
        1
    );
}
both!(members_may_take_one_digest_a_day);

async fn staff_are_warned_once_before_a_target_is_missed(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("ns-agent@example.com", "Ash").await;
    let quiet = app.staff("ns-quiet@example.com", "Quinn").await;
    choose(&app, &quiet, &["review_replies", "surveys", "assignment"]).await;
    let erin = app.person("ns-erin@example.com", "Erin").await;
    let mut numbers = Vec::new();
    for (who, subject) in [(&agent, "Server down"), (&quiet, "Site down")] {
        let number = open_ticket(&app, &erin, subject, "", "urgent").await;
        let page = app
            .post_with(
                &who.client,
                &format!("/desk/tickets/{number}/assign"),
                &[("assignee", "me")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        numbers.push(number);
    }
    // Urgent: a first answer within the hour, so both are due soon.
    let links = agora::support::Links::of(&app.settings);
    let pass = move || {
        let links = links.clone();
        move |c: &mut agora::db::AnyConnection| {
            agora::mail::notify::run_pass(
                c,
                &links,
                &agora::domain::zone::Zone::utc(),
                agora::models::now(),
            )
            .unwrap()
            .unwrap()
        }
    };
    let (_, warned) = app.db(pass()).await;
    assert_eq!(warned, 1);
    let mail = app
        .mail
        .wait_about("ns-agent@example.com", "about to miss", 1)
        .await;
    assert!(
        mail.subject.contains(&format!("#{}", numbers[0])),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("UTC"), "{}", mail.text);
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/sla_warning/")
    );
    // Once per due time.
    let (_, warned) = app.db(pass()).await;
    assert_eq!(warned, 0);
    assert_eq!(
        count_after_a_while(&app, "ns-quiet@example.com", "about to miss").await,
        0
    );
}
both!(staff_are_warned_once_before_a_target_is_missed);

async fn partner_and_staff_kinds_each_follow_their_switch(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("ns2-owner@example.com", "Olga").await;
    let member = app.person("ns2-member@example.com", "Max").await;
    let (pid, slug) = app.partner("Switch Board", &owner).await;
    app.add_member(pid, &member, "member").await;
    let (_, listing) = app.listing(pid, "Lamp repair", "Bulbs.", true).await;
    // The owner keeps tickets and turns requests off; the member the
    // other way round.
    choose(&app, &owner, &["partner_reviews", "partner_tickets"]).await;
    choose(&app, &member, &["partner_requests", "partner_reviews"]).await;
    let cat = app.person("ns2-cat@example.com", "Cat").await;
    let page = app
        .post_with(&cat.client, &format!("/listings/{listing}/engage"), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.mail
        .wait_about("ns2-member@example.com", "New request", 1)
        .await;
    let number = open_ticket(&app, &cat, "Flickering", &listing, "normal").await;
    let mail = app
        .mail
        .wait_about("ns2-owner@example.com", "about your listing", 1)
        .await;
    // The notice names neither the requester nor their words.
    for hidden in ["Cat", "ns2-cat@example.com", "Flickering", "walker"] {
        assert!(!mail.text.contains(hidden), "{hidden} in {}", mail.text);
    }
    assert!(
        mail.text.contains(&format!("/partner/{slug}/tickets/")),
        "{}",
        mail.text
    );
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/partner_tickets/")
    );
    assert_eq!(
        count_after_a_while(&app, "ns2-owner@example.com", "New request").await,
        0
    );
    assert_eq!(
        count_after_a_while(&app, "ns2-member@example.com", "about your listing").await,
        0
    );

    // Assignment: mailed to an agent who wants it, not to one who does not.
    let ash = app.staff("ns2-ash@example.com", "Ash").await;
    let bea = app.staff("ns2-bea@example.com", "Bea").await;
    choose(&app, &bea, &["sla_warning"]).await;
    let lead = app.staff("ns2-lead@example.com", "Lee").await;
    for agent in [&ash, &bea] {
        let page = app
            .post_with(
                &lead.client,
                &format!("/desk/tickets/{number}/assign"),
                &[("assignee", &agent.id.to_string())],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let mail = app
        .mail
        .wait_about("ns2-ash@example.com", &format!("#{number}"), 1)
        .await;
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/assignment/")
    );
    assert_eq!(
        count_after_a_while(&app, "ns2-bea@example.com", "").await,
        0
    );
}
both!(partner_and_staff_kinds_each_follow_their_switch);

async fn partners_answer_requests_through_the_platform(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("rq-owner@example.com", "Olga").await;
    let other = app.person("rq-other@example.com", "Oscar").await;
    let (pid, slug) = app.partner("Answer Desk", &owner).await;
    let (_, other_slug) = app.partner("Elsewhere", &other).await;
    let (_, first) = app.listing(pid, "Window cleaning", "Shine.", true).await;
    let (_, second) = app.listing(pid, "Gutter cleaning", "Leaves.", true).await;
    let dee = app.person("rq-dee@example.com", "Dee").await;
    for listing in [&first, &second] {
        let page = app
            .post_with(
                &dee.client,
                &format!("/listings/{listing}/engage"),
                &[("message", "How much for a flat?")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let ids = app
        .db(move |c| {
            use agora::schema::engagements::dsl::*;
            use diesel::prelude::*;
            engagements
                .filter(partner_id.eq(pid))
                .order(id)
                .select(id)
                .load::<i64>(c)
                .unwrap()
        })
        .await;
    let answer = |who: &Person, slug: &str, id: i64, text: &str| {
        let (client, path, text) = (
            who.client.clone(),
            format!("/partner/{slug}/engagements/{id}/reply"),
            text.to_string(),
        );
        let app = &app;
        async move { app.post_with(&client, &path, &[("reply", &text)]).await }
    };
    // Another partner cannot answer it; an empty answer is refused.
    assert_eq!(
        answer(&other, &other_slug, ids[0], "Hi").await.status,
        StatusCode::NOT_FOUND
    );
    let empty = answer(&owner, &slug, ids[0], "  ").await;
    assert_eq!(empty.status, StatusCode::SEE_OTHER);
    let page = answer(&owner, &slug, ids[0], "Forty euros, any weekday.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // Once each.
    assert_eq!(
        answer(&owner, &slug, ids[0], "Changed my mind")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Dee gets it though she shared nothing; the partner still sees no
    // message of hers.
    let mail = app
        .mail
        .wait_about("rq-dee@example.com", "Answer Desk answered your request", 1)
        .await;
    assert!(
        mail.text.contains("Forty euros, any weekday."),
        "{}",
        mail.text
    );
    assert!(
        mail.link(&app.url("/unsubscribe/email/"))
            .contains("/request_replies/")
    );
    app.get_with(&dee.client, &format!("/listings/{first}"))
        .await
        .assert_contains("Forty euros, any weekday.");
    let requests = app
        .get_with(&owner.client, &format!("/partner/{slug}/engagements"))
        .await;
    requests.assert_contains("Forty euros, any weekday.");
    assert!(!requests.body.contains("How much for a flat?"));
    assert!(!requests.body.contains("rq-dee@example.com"));

    // Turned off: the next answer is on the listing page only.
    choose(&app, &dee, &["review_replies", "surveys"]).await;
    let page = answer(&owner, &slug, ids[1], "Thirty for the gutters.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count_after_a_while(&app, "rq-dee@example.com", "answered your request").await,
        1
    );
    app.get_with(&dee.client, &format!("/listings/{second}"))
        .await
        .assert_contains("Thirty for the gutters.");
}
both!(partners_answer_requests_through_the_platform);
