//! Consent: one per partner, said clearly on every form, obeyed by every
//! page and email of the partner area, and members who are not customers
//! of their own partner.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{
    Backend, Page, Person, TestApp, request, secret_in, spawn_app, spawn_app_with,
};

async fn get(app: &TestApp, p: &Person, path: &str) -> Page {
    app.get_with(&p.client, path).await
}

async fn post(app: &TestApp, p: &Person, path: &str, fields: &[(&str, &str)]) -> Page {
    app.post_with(&p.client, path, fields).await
}

fn assert_hidden(page: &Page, texts: &[&str]) {
    for t in texts {
        assert!(
            !page.body.contains(t),
            "{t:?} must not show on {} ({}):\n{}",
            page.url,
            page.status,
            page.body
        );
    }
}

async fn open_ticket(app: &TestApp, who: &Person, listing: &str, body: &str) -> i64 {
    let page = post(
        app,
        who,
        "/me/tickets/new",
        &[
            ("subject", "Walker missing"),
            ("message", body),
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

async fn consent_rows(app: &TestApp, partner: i64, consumer: i64) -> Vec<bool> {
    app.db(move |c| {
        use agora::schema::consents::dsl::*;
        consents
            .filter(partner_id.eq(partner))
            .filter(consumer_id.eq(consumer))
            .select(given)
            .load::<bool>(c)
            .unwrap()
    })
    .await
}

async fn activity_kinds(app: &TestApp, consumer: i64) -> Vec<String> {
    app.db(move |c| {
        use agora::schema::activities::dsl::*;
        activities
            .filter(consumer_id.eq(consumer))
            .order(id.asc())
            .select(kind)
            .load::<String>(c)
            .unwrap()
    })
    .await
}

async fn ticket_pages_name_the_requester_only_with_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let carla = app.person("carla@example.com", "Carla Consumer").await;
    let who = ["Carla Consumer", "carla@example.com"];

    // Asked without sharing: the ticket form says the partner will not see
    // who is asking, and the partner's pages say "a consumer".
    request(&app, &carla, &lslug, "", false).await;
    let form = get(&app, &carla, &format!("/me/tickets/new?listing={lslug}")).await;
    form.assert_contains(
        "Walkies will see this ticket and your messages as coming from “a consumer”, \
         without your name or email address",
    );
    let n = open_ticket(&app, &carla, &lslug, "The walker did not come.").await;
    post(
        &app,
        &carla,
        &format!("/me/tickets/{n}/reply"),
        &[("body", "Still waiting.")],
    )
    .await;
    let list = get(&app, &owner, &format!("/partner/{pslug}/tickets")).await;
    list.assert_contains("Walker missing");
    list.assert_contains(&format!("A consumer (ticket #{n})"));
    assert_hidden(&list, &who);
    let page = get(&app, &owner, &format!("/partner/{pslug}/tickets/{n}")).await;
    page.assert_contains("The walker did not come.");
    page.assert_contains("Still waiting.");
    page.assert_contains(&format!("A consumer (ticket #{n})"));
    page.assert_contains("<strong>A consumer</strong>");
    assert_hidden(&page, &who);

    // Shared: named on every page, and the form says so.
    let r = post(
        &app,
        &carla,
        &format!("/listings/{lslug}/consent"),
        &[("give", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    get(&app, &carla, &format!("/me/tickets/new?listing={lslug}"))
        .await
        .assert_contains(
            "Walkies will see this ticket with your name and email address, because you share",
        );
    let list = get(&app, &owner, &format!("/partner/{pslug}/tickets")).await;
    list.assert_contains("Carla Consumer");
    list.assert_contains("carla@example.com");
    let page = get(&app, &owner, &format!("/partner/{pslug}/tickets/{n}")).await;
    page.assert_contains("<strong>Carla Consumer</strong>");
    page.assert_contains("mailto:carla@example.com");

    // Withdrawn: hidden again at once, everywhere.
    post(&app, &carla, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    let list = get(&app, &owner, &format!("/partner/{pslug}/tickets")).await;
    assert_hidden(&list, &who);
    list.assert_contains(&format!("A consumer (ticket #{n})"));
    let page = get(&app, &owner, &format!("/partner/{pslug}/tickets/{n}")).await;
    assert_hidden(&page, &who);
    page.assert_contains("Still waiting.");

    // No email to the partner's members ever names her.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for m in app.mail.all() {
        if m.to != "carla@example.com" {
            assert!(
                !m.text.contains("Carla Consumer") && !m.text.contains("carla@example.com"),
                "{} got {}",
                m.to,
                m.text
            );
        }
    }
}
both!(ticket_pages_name_the_requester_only_with_consent);

async fn new_request_email_carries_details_only_with_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, first) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let (_, second) = app.listing(pid, "Cat sitting", "Sits.", true).await;
    let carla = app.person("carla@example.com", "Carla Consumer").await;
    let sam = app.person("sam@example.com", "Shy Sam").await;
    let inbox = "contact@partner.example";

    // The partner's inbox, and each member who takes the notice (the
    // owner), get the same rule.
    let owner_inbox = "owner@example.com";
    request(&app, &carla, &first, "Mornings please", true).await;
    for to in [inbox, owner_inbox] {
        let mail = app.mail.wait_for(to, 1).await;
        assert_eq!(mail.subject, "New request: Dog walks");
        assert!(mail.text.contains("Carla Consumer"), "{}", mail.text);
        assert!(mail.text.contains("carla@example.com"), "{}", mail.text);
        assert!(mail.text.contains("Mornings please"), "{}", mail.text);
    }

    request(&app, &sam, &first, "My flat is at 5 Elm Road", false).await;
    for to in [inbox, owner_inbox] {
        let mail = app.mail.wait_for(to, 2).await;
        assert_eq!(mail.subject, "New request: Dog walks");
        for hidden in ["Shy Sam", "sam@example.com", "5 Elm Road"] {
            assert!(!mail.text.contains(hidden), "{hidden} in {}", mail.text);
            assert!(!mail.html.contains(hidden), "{hidden} in {}", mail.html);
        }
        assert!(mail.text.contains("stay hidden"), "{}", mail.text);
        assert!(
            mail.text
                .contains(&format!("{}/partner/{pslug}/engagements", app.address)),
            "{}",
            mail.text
        );
    }

    // Consent is the partner's: a second request carries the details
    // without ticking anything again.
    request(&app, &carla, &second, "Two cats", false).await;
    for to in [inbox, owner_inbox] {
        let mail = app.mail.wait_for(to, 3).await;
        assert_eq!(mail.subject, "New request: Cat sitting");
        assert!(mail.text.contains("carla@example.com"), "{}", mail.text);
        assert!(mail.text.contains("Two cats"), "{}", mail.text);
    }
    // A review names its author to the members while consent stands.
    let page = post(
        &app,
        &carla,
        &format!("/listings/{second}/review"),
        &[("rating", "5"), ("body", "The cats purred.")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mail = app.mail.wait_for(owner_inbox, 4).await;
    assert_eq!(mail.subject, "New review of Cat sitting");
    assert!(mail.text.contains("Carla Consumer"), "{}", mail.text);

    // Withdrawn, then asked again: nothing of hers in the emails.
    post(&app, &carla, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    let (_, third) = app.listing(pid, "Fish feeding", "Feeds.", true).await;
    request(&app, &carla, &third, "Goldfish named Bob", false).await;
    for (to, n) in [(inbox, 4), (owner_inbox, 5)] {
        let mail = app.mail.wait_for(to, n).await;
        for hidden in ["Carla Consumer", "carla@example.com", "Goldfish named Bob"] {
            assert!(!mail.text.contains(hidden), "{hidden} in {}", mail.text);
        }
    }
    let page = post(
        &app,
        &carla,
        &format!("/listings/{third}/review"),
        &[("rating", "3"), ("body", "Fish fine.")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mail = app.mail.wait_for(owner_inbox, 6).await;
    assert_eq!(mail.subject, "New review of Fish feeding");
    assert!(!mail.text.contains("Carla"), "{}", mail.text);
    assert!(!mail.html.contains("Carla"), "{}", mail.html);
}
both!(new_request_email_carries_details_only_with_consent);

async fn consent_is_one_per_partner_and_said_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, first) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let (_, second) = app.listing(pid, "Cat sitting", "Sits.", true).await;
    let (_, third) = app.listing(pid, "Fish feeding", "Feeds.", true).await;
    let carla = app.person("carla@example.com", "Carla Consumer").await;
    let dora = app.person("dora@example.com", "Dora Never").await;
    let customer = format!("/partner/{pslug}/customers/{}", carla.id);
    let requests = format!("/partner/{pslug}/engagements");

    // Before any request the form offers to share with the partner as a
    // whole.
    let page = get(&app, &carla, &format!("/listings/{first}")).await;
    page.assert_contains("Share my name and email address with Walkies, for all its services");
    page.assert_contains("Sharing is for Walkies as a whole");
    request(&app, &carla, &first, "Mornings please", true).await;

    // A second listing of the same partner: no unticked box, but what
    // stands, and a way to withdraw for the partner.
    let page = get(&app, &carla, &format!("/listings/{second}")).await;
    page.assert_contains("You already share your name and email address with Walkies");
    assert!(!page.body.contains("id=\"consent\""), "{}", page.body);
    page.assert_contains("Stop sharing my details");
    page.assert_contains("This applies to Walkies as a whole");
    request(&app, &carla, &second, "Two cats", false).await;
    assert_eq!(consent_rows(&app, pid, carla.id).await, [true]);
    let list = get(&app, &owner, &requests).await;
    list.assert_contains("Mornings please");
    list.assert_contains("Two cats");
    let page = get(&app, &owner, &customer).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Two cats");

    // Withdrawn from the second listing's page: for the whole partner.
    post(
        &app,
        &carla,
        &format!("/listings/{second}/consent"),
        &[("give", "0")],
    )
    .await;
    assert_eq!(consent_rows(&app, pid, carla.id).await, [false]);
    get(&app, &carla, &format!("/listings/{first}"))
        .await
        .assert_contains("Walkies cannot see your name or email address.");
    let list = get(&app, &owner, &requests).await;
    assert_hidden(
        &list,
        &[
            "Carla Consumer",
            "carla@example.com",
            "Mornings please",
            "Two cats",
        ],
    );
    assert_eq!(
        get(&app, &owner, &customer).await.status,
        StatusCode::NOT_FOUND
    );

    // A third request while withdrawn: the form offers the box again and
    // says what standing without it means; its message stays hidden.
    let page = get(&app, &carla, &format!("/listings/{third}")).await;
    page.assert_contains("id=\"consent\"");
    page.assert_contains("Walkies cannot see your name or email address.");
    request(&app, &carla, &third, "Goldfish named Bob", false).await;
    assert_hidden(&get(&app, &owner, &requests).await, &["Goldfish named Bob"]);
    assert_eq!(
        get(&app, &owner, &customer).await.status,
        StatusCode::NOT_FOUND
    );

    // Given again, from the privacy page: it covers everything with the
    // partner, as the form said.
    get(&app, &carla, "/me/privacy")
        .await
        .assert_contains("Cat sitting, Dog walks, Fish feeding");
    post(&app, &carla, &format!("/me/privacy/{pid}/give"), &[]).await;
    let page = get(&app, &owner, &customer).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Goldfish named Bob");
    assert_eq!(
        activity_kinds(&app, carla.id).await,
        [
            "engaged",
            "consent_given",
            "engaged",
            "consent_withdrawn",
            "engaged",
            "consent_given"
        ]
    );

    // Someone who never shared: nothing of theirs on any partner page,
    // reviews included.
    request(&app, &dora, &first, "Call me on 0123", false).await;
    post(
        &app,
        &dora,
        &format!("/listings/{first}/review"),
        &[("rating", "4"), ("body", "Good walks")],
    )
    .await;
    post(
        &app,
        &carla,
        &format!("/listings/{first}/review"),
        &[("rating", "5"), ("body", "Lovely dogs")],
    )
    .await;
    let dora_texts = ["Dora Never", "dora@example.com", "Call me on 0123"];
    assert_hidden(&get(&app, &owner, &requests).await, &dora_texts);
    let reviews = get(&app, &owner, &format!("/partner/{pslug}/reviews")).await;
    reviews.assert_contains("Good walks");
    reviews.assert_contains("<strong>A consumer</strong>");
    reviews.assert_contains("<strong>Carla Consumer</strong>");
    assert_hidden(&reviews, &dora_texts);
    assert_eq!(
        get(
            &app,
            &owner,
            &format!("/partner/{pslug}/customers/{}", dora.id)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let csv = get(&app, &owner, &format!("/partner/{pslug}/customers.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_hidden(&csv, &dora_texts);
    assert_hidden(
        &get(&app, &owner, &format!("/partner/{pslug}")).await,
        &dora_texts,
    );

    // And withdrawing removes her from the export and reviews at once.
    post(&app, &carla, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    let csv = get(&app, &owner, &format!("/partner/{pslug}/customers.csv")).await;
    assert_hidden(&csv, &["Carla Consumer", "carla@example.com"]);
    assert_hidden(
        &get(&app, &owner, &format!("/partner/{pslug}/reviews")).await,
        &["Carla Consumer"],
    );
}
both!(consent_is_one_per_partner_and_said_so);

/// Two requests to two listings of one partner at the same moment, both
/// ticked: one consent, given once.
async fn simultaneous_requests_make_one_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, _) = app.partner("Walkies", &owner).await;
    let (_, first) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let (_, second) = app.listing(pid, "Cat sitting", "Sits.", true).await;
    let carla = app.person("carla@example.com", "Carla Consumer").await;
    let token = app.csrf_with(&carla.client).await;
    let send = |slug: String| {
        let (client, token, url) = (
            carla.client.clone(),
            token.clone(),
            app.url(&format!("/listings/{slug}/engage")),
        );
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf", token.as_str()),
                    ("message", "hi"),
                    ("consent", "yes"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(send(first), send(second));
    assert_eq!((a, b), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(consent_rows(&app, pid, carla.id).await, [true]);
    let kinds = activity_kinds(&app, carla.id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "engaged").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "consent_given").count(), 1);

    // Withdrawn, then given twice at the same moment: one row, given
    // again once.
    post(&app, &carla, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    assert_eq!(consent_rows(&app, pid, carla.id).await, [false]);
    let give = |v: &'static str| {
        let (client, token, url) = (
            carla.client.clone(),
            token.clone(),
            app.url(&format!("/me/privacy/{pid}/{v}")),
        );
        async move {
            client
                .post(url)
                .form(&[("csrf", token.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(give("give"), give("give"));
    assert_eq!((a, b), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(consent_rows(&app, pid, carla.id).await, [true]);
    assert_eq!(
        activity_kinds(&app, carla.id)
            .await
            .iter()
            .filter(|k| *k == "consent_given")
            .count(),
        2,
        "the second give found consent standing and changed nothing"
    );
}
both!(simultaneous_requests_make_one_consent);

/// Kept figures never outlive a withdrawal: the customer count is cached
/// (here for a minute) and dropped when consent changes.
async fn withdrawal_is_not_kept_by_any_cache(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.figures_ttl = Duration::from_secs(60)).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let carla = app.person("carla@example.com", "Carla Consumer").await;
    request(&app, &carla, &lslug, "Mornings please", true).await;

    let customers = format!("/partner/{pslug}/customers");
    let list = get(&app, &owner, &customers).await;
    list.assert_contains("Matching customers: 1");
    list.assert_contains("Carla Consumer");
    let overview = get(&app, &owner, &format!("/partner/{pslug}")).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert_hidden(&overview, &["Carla Consumer", "carla@example.com"]);

    post(
        &app,
        &carla,
        &format!("/listings/{lslug}/consent"),
        &[("give", "0")],
    )
    .await;
    let list = get(&app, &owner, &customers).await;
    list.assert_contains("Matching customers: 0");
    assert_hidden(&list, &["Carla Consumer", "carla@example.com"]);
    for path in [
        format!("/partner/{pslug}/engagements"),
        format!("/partner/{pslug}"),
        format!("/partner/{pslug}/customers.csv"),
    ] {
        assert_hidden(
            &get(&app, &owner, &path).await,
            &["Carla Consumer", "carla@example.com", "Mornings please"],
        );
    }
}
both!(withdrawal_is_not_kept_by_any_cache);

async fn members_are_not_customers_of_their_own_partner(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (lid, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let listing = format!("/listings/{lslug}");
    let member = app.person("mem@example.com", "Mo Member").await;
    app.add_member(pid, &member, "member").await;
    let later = app.person("later@example.com", "Lee Later").await;
    let admin = app.admin("admin@example.com").await;

    // The page offers neither form to a member, and says why.
    for who in [&owner, &member] {
        let page = get(&app, who, &listing).await;
        page.assert_contains(
            "You belong to Walkies, so you cannot request or review its services.",
        );
        assert!(!page.body.contains(&format!("action=\"{listing}/engage\"")));
        assert!(!page.body.contains(&format!("action=\"{listing}/review\"")));
    }

    // The handlers refuse, with the same clear message, keeping nothing.
    let r = post(
        &app,
        &owner,
        &format!("{listing}/engage"),
        &[("message", "Me, myself"), ("consent", "yes")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("You belong to Walkies: members cannot request or review their own");
    let r = post(
        &app,
        &member,
        &format!("{listing}/review"),
        &[("rating", "5"), ("body", "Best ever")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("members cannot request or review");

    // Someone who asked before joining the team cannot review either.
    request(&app, &later, &lslug, "Hello", false).await;
    app.add_member(pid, &later, "admin").await;
    let r = post(
        &app,
        &later,
        &format!("{listing}/review"),
        &[("rating", "5"), ("body", "Five stars from the team")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !get(&app, &later, &listing)
            .await
            .body
            .contains("Write a review")
    );

    let (engaged, reviewed) = app
        .db(move |c| {
            use agora::schema::{engagements, reviews};
            let e: i64 = engagements::table
                .filter(engagements::listing_id.eq(lid))
                .count()
                .get_result(c)
                .unwrap();
            let r: i64 = reviews::table
                .filter(reviews::listing_id.eq(lid))
                .count()
                .get_result(c)
                .unwrap();
            (e, r)
        })
        .await;
    assert_eq!((engaged, reviewed), (1, 0), "only Lee's earlier request");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        app.mail.to("contact@partner.example").len(),
        1,
        "only Lee's request was announced"
    );
    app.get(&listing).await.assert_contains("No reviews yet");

    // A platform admin who is not a member is a customer like any other.
    get(&app, &admin, &listing)
        .await
        .assert_contains(&format!("action=\"{listing}/engage\""));
    request(&app, &admin, &lslug, "As a customer", true).await;
    let r = post(
        &app,
        &admin,
        &format!("{listing}/review"),
        &[("rating", "4"), ("body", "Fine service")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.get(&listing).await.assert_contains("Fine service");
    get(&app, &owner, &format!("/partner/{pslug}/engagements"))
        .await
        .assert_contains("As a customer");
}
both!(members_are_not_customers_of_their_own_partner);

/// The partner API shows requests and customers only while the consumer's
/// consent to the partner stands, and nothing of them from the moment it
/// is withdrawn.
async fn the_api_follows_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app
        .person("api-consent-owner@example.com", "Owen Owner")
        .await;
    let (pid, slug) = app.partner("Consent Kennels", &owner).await;
    let (_, listing) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let sharer = app.person("sharer@example.com", "Sasha Sharer").await;
    let private = app.person("private@example.com", "Pria Private").await;
    request(&app, &sharer, &listing, "Two dogs, mornings.", true).await;
    request(&app, &private, &listing, "One cat, secretly.", false).await;

    let made = post(
        &app,
        &owner,
        &format!("/partner/{slug}/developers"),
        &[
            ("name", "CRM sync"),
            ("scope", "requests:read"),
            ("scope", "customers:read"),
            ("expiry", "0"),
        ],
    )
    .await;
    let secret = secret_in(&made);
    let api = |path: &str| {
        let (url, secret) = (app.url(path), secret.clone());
        async move {
            let res = reqwest::Client::new()
                .get(url)
                .bearer_auth(secret)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let hidden = ["Pria Private", "private@example.com", "One cat, secretly."];

    let (st, requests) = api("/api/v1/requests").await;
    assert_eq!(st, StatusCode::OK, "{requests}");
    for t in ["Sasha Sharer", "sharer@example.com", "Two dogs, mornings."] {
        assert!(requests.contains(t), "{t} missing: {requests}");
    }
    for t in hidden {
        assert!(!requests.contains(t), "{t} shown: {requests}");
    }
    let (_, customers) = api("/api/v1/customers").await;
    assert!(customers.contains("sharer@example.com"), "{customers}");
    assert!(!customers.contains("private@example.com"), "{customers}");
    let (st, _) = api(&format!("/api/v1/customers/{}", sharer.id)).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = api(&format!("/api/v1/customers/{}", private.id)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(!body.contains("Pria"), "{body}");

    // Withdrawn: gone from every answer at once.
    post(
        &app,
        &sharer,
        &format!("/listings/{listing}/consent"),
        &[("give", "0")],
    )
    .await;
    let (_, requests) = api("/api/v1/requests").await;
    let (_, customers) = api("/api/v1/customers").await;
    let (st, one) = api(&format!("/api/v1/customers/{}", sharer.id)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    for body in [&requests, &customers, &one] {
        for t in ["Sasha Sharer", "sharer@example.com", "Two dogs, mornings."] {
            assert!(
                !body.contains(t),
                "{t} still shown after withdrawal: {body}"
            );
        }
    }
    // Given again: back.
    post(
        &app,
        &sharer,
        &format!("/listings/{listing}/consent"),
        &[("give", "1")],
    )
    .await;
    let (_, requests) = api("/api/v1/requests").await;
    assert!(requests.contains("sharer@example.com"), "{requests}");
}
both!(the_api_follows_consent);

/// Reviews and tickets through the partner API: the consumer's name and
/// email only while consent stands, internal notes never, replies as the
/// partner (the requester is emailed), another partner's records 404.
async fn the_api_shows_reviews_and_tickets_by_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app
        .person("api-support-owner@example.com", "Sam Owner")
        .await;
    let (pid, slug) = app.partner("Support Kennels", &owner).await;
    let (_, listing) = app.listing(pid, "Cat sitting", "Cats.", true).await;
    let quiet = app.person("quiet-api@example.com", "Quinn Quiet").await;
    request(&app, &quiet, &listing, "Two cats.", false).await;
    post(
        &app,
        &quiet,
        &format!("/listings/{listing}/review"),
        &[("rating", "4"), ("body", "Kind sitter.")],
    )
    .await;
    let number = open_ticket(&app, &quiet, &listing, "The sitter was late.").await;
    let note = "Internal: sitter had a flat tyre";
    app.db(move |c| {
        use agora::schema::{ticket_messages, tickets};
        let tid: i64 = tickets::table
            .filter(tickets::number.eq(number))
            .select(tickets::id)
            .first(c)
            .unwrap();
        diesel::insert_into(ticket_messages::table)
            .values((
                ticket_messages::ticket_id.eq(tid),
                ticket_messages::author_kind.eq("staff"),
                ticket_messages::body.eq(note),
                ticket_messages::internal.eq(true),
                ticket_messages::created_at.eq(agora::models::now()),
            ))
            .execute(c)
            .unwrap();
    })
    .await;
    let made = post(
        &app,
        &owner,
        &format!("/partner/{slug}/developers"),
        &[
            ("name", "Help desk"),
            ("scope", "reviews:read"),
            ("scope", "reviews:write"),
            ("scope", "tickets:read"),
            ("scope", "tickets:write"),
            ("expiry", "30"),
        ],
    )
    .await;
    let secret = secret_in(&made);
    let call = |method: reqwest::Method, path: &str, body: Option<&str>| {
        let (url, secret, body) = (app.url(path), secret.clone(), body.map(str::to_string));
        async move {
            let mut req = reqwest::Client::new()
                .request(method, url)
                .bearer_auth(secret);
            if let Some(b) = body {
                req = req.header("content-type", "application/json").body(b);
            }
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let get = reqwest::Method::GET;
    let private = ["Quinn Quiet", "quiet-api@example.com"];

    let (st, reviews) = call(get.clone(), "/api/v1/reviews", None).await;
    assert_eq!(st, StatusCode::OK, "{reviews}");
    assert!(reviews.contains("Kind sitter."), "{reviews}");
    let (st, tickets) = call(get.clone(), "/api/v1/tickets", None).await;
    assert_eq!(st, StatusCode::OK, "{tickets}");
    assert!(
        tickets.contains(&format!("\"number\":{number}")),
        "{tickets}"
    );
    let (st, thread) = call(get.clone(), &format!("/api/v1/tickets/{number}"), None).await;
    assert_eq!(st, StatusCode::OK, "{thread}");
    assert!(thread.contains("The sitter was late."), "{thread}");
    assert!(thread.contains("A consumer"), "{thread}");
    for body in [&reviews, &tickets, &thread] {
        for t in private {
            assert!(!body.contains(t), "{t} shown without consent: {body}");
        }
        assert!(!body.contains(note), "internal note shown: {body}");
    }

    // Consent given: the name shows.
    post(
        &app,
        &quiet,
        &format!("/listings/{listing}/consent"),
        &[("give", "1")],
    )
    .await;
    let (_, tickets) = call(get.clone(), "/api/v1/tickets", None).await;
    assert!(tickets.contains("quiet-api@example.com"), "{tickets}");
    let (_, reviews) = call(get.clone(), "/api/v1/reviews", None).await;
    assert!(reviews.contains("Quinn Quiet"), "{reviews}");

    // Replies as the partner.
    let review_id: i64 = app
        .db(|c| {
            use agora::schema::reviews::dsl::*;
            reviews.select(id).first(c).unwrap()
        })
        .await;
    let post_m = reqwest::Method::POST;
    let (st, replied) = call(
        post_m.clone(),
        &format!("/api/v1/reviews/{review_id}/reply"),
        Some(r#"{"body": "Thank you!"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{replied}");
    assert!(replied.contains("Thank you!"));
    let (st, _) = call(
        post_m.clone(),
        &format!("/api/v1/reviews/{review_id}/reply"),
        Some(r#"{"body": ""}"#),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, answered) = call(
        post_m.clone(),
        &format!("/api/v1/tickets/{number}/messages"),
        Some(r#"{"body": "Sorry, a flat tyre. Tomorrow at nine."}"#),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{answered}");
    assert!(answered.contains("Tomorrow at nine."));
    assert!(answered.contains("Support Kennels"), "{answered}");
    assert!(!answered.contains(note));
    let mails = app
        .db(|c| {
            use agora::schema::outgoing_email::dsl::*;
            outgoing_email
                .filter(to_addr.eq("quiet-api@example.com"))
                .select(body_text)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(
        mails.iter().any(|m| m.contains("Tomorrow at nine.")),
        "{mails:?}"
    );

    // Another partner's token sees none of it.
    let other = app
        .person("api-support-other@example.com", "Ola Other")
        .await;
    let (_, other_slug) = app.partner("Other Kennels", &other).await;
    let made = post(
        &app,
        &other,
        &format!("/partner/{other_slug}/developers"),
        &[
            ("name", "Nosy"),
            ("scope", "tickets:read"),
            ("scope", "reviews:write"),
            ("expiry", "30"),
        ],
    )
    .await;
    let nosy = secret_in(&made);
    let res = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/tickets/{number}")))
        .bearer_auth(&nosy)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/reviews/{review_id}/reply")))
        .bearer_auth(&nosy)
        .header("content-type", "application/json")
        .body(r#"{"body": "Ours now"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
both!(the_api_shows_reviews_and_tickets_by_consent);

/// Webhook payloads follow consent as the partner's pages do: a request,
/// review, ticket or message from a consumer who does not share their
/// details carries none of them; a withdrawal sends only the customer's
/// id and rewrites every stored delivery that named them (the delivery
/// log included); internal notes are never sent; a deleted account
/// withdraws.
async fn webhooks_follow_consent(backend: Backend) {
    use crate::webhooks::{ALL_EVENTS, Receiver, add_endpoint, verify};
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let owner = app.person("hook-consent@example.com", "Hal Owner").await;
    let (pid, slug) = app.partner("Hook Kennels", &owner).await;
    let (listing_id, listing) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let (endpoint, secret) = add_endpoint(&app, &owner, &slug, &receiver.url(), &ALL_EVENTS).await;
    let sharer = app.person("hook-sharer@example.com", "Sasha Sharer").await;
    let private = app.person("hook-private@example.com", "Pria Private").await;
    let leaver = app.person("hook-leaver@example.com", "Lee Leaver").await;
    let sharer_texts = [
        "Sasha Sharer",
        "hook-sharer@example.com",
        "Two dogs, mornings.",
    ];
    let private_texts = [
        "Pria Private",
        "hook-private@example.com",
        "One cat, secretly.",
    ];

    request(&app, &sharer, &listing, "Two dogs, mornings.", true).await;
    request(&app, &private, &listing, "One cat, secretly.", false).await;
    let hits = receiver
        .wait_until("two requests and a consent", |h| h.len() >= 3)
        .await;
    let of = |kind: &str| -> Vec<serde_json::Value> {
        receiver
            .hits()
            .iter()
            .filter(|h| h.kind() == kind)
            .map(|h| h.json()["data"].clone())
            .collect()
    };
    let requests = of("request.created");
    assert_eq!(requests.len(), 2, "{hits:?}");
    let shared = requests
        .iter()
        .find(|r| !r["customer"].is_null())
        .expect("the sharer's request names her");
    assert_eq!(shared["customer"]["email"], "hook-sharer@example.com");
    assert_eq!(shared["customer"]["id"], sharer.id);
    assert_eq!(shared["message"], "Two dogs, mornings.");
    assert_eq!(shared["listing_id"], listing_id);
    let anonymous = requests
        .iter()
        .find(|r| r["customer"].is_null())
        .expect("the private request names nobody");
    assert!(anonymous["message"].is_null(), "{anonymous}");
    let given = of("consent.given");
    assert_eq!(given.len(), 1);
    assert_eq!(given[0]["customer"]["name"], "Sasha Sharer");

    // A review and a ticket with a reply from the one who does not share.
    post(
        &app,
        &private,
        &format!("/listings/{listing}/review"),
        &[("rating", "4"), ("body", "Kind walker.")],
    )
    .await;
    let number = open_ticket(&app, &private, &listing, "The walker was late.").await;
    post(
        &app,
        &private,
        &format!("/me/tickets/{number}/reply"),
        &[("body", "Any news?")],
    )
    .await;
    // An internal note by the desk, then a public answer.
    let staff = app.person("hook-agent@example.com", "Ada Agent").await;
    let staff_id = staff.id;
    let note = "Internal: walker had a flat tyre";
    app.db(move |c| {
        use agora::models::tickets;
        agora::models::users::set_staff(c, staff_id, true).unwrap();
        let cfg = tickets::sla_config(c).unwrap();
        let t = tickets::by_number(c, number).unwrap().unwrap();
        tickets::reply(c, &t, &tickets::Writer::Staff(staff_id), note, true, &cfg).unwrap();
        let t = tickets::by_number(c, number).unwrap().unwrap();
        tickets::reply(
            c,
            &t,
            &tickets::Writer::Staff(staff_id),
            "We are on it.",
            false,
            &cfg,
        )
        .unwrap();
    })
    .await;
    receiver
        .wait_until("the review, ticket, messages and status", |h| {
            let n = |k: &str| h.iter().filter(|x| x.kind() == k).count();
            n("review.created") == 1
                && n("ticket.created") == 1
                && n("ticket.message.created") == 2
                && n("ticket.status_changed") >= 1
        })
        .await;
    let review = &of("review.created")[0];
    assert!(review["author_name"].is_null(), "{review}");
    assert_eq!(review["body"], "Kind walker.");
    let ticket = &of("ticket.created")[0];
    assert!(ticket["requester"].is_null(), "{ticket}");
    assert_eq!(ticket["number"], number);
    let messages = of("ticket.message.created");
    let mine = messages
        .iter()
        .find(|m| m["message"]["author_kind"] == "requester")
        .unwrap();
    assert!(mine["message"]["author_name"].is_null(), "{mine}");
    let answer = messages
        .iter()
        .find(|m| m["message"]["author_kind"] == "staff")
        .unwrap();
    assert_eq!(answer["message"]["author_name"], "Ada Agent");
    assert_eq!(of("ticket.status_changed")[0]["previous_status"], "new");

    // Withdrawn: the event carries the id alone, and no stored delivery
    // (nor the log) names her any more.
    post(
        &app,
        &sharer,
        &format!("/listings/{listing}/consent"),
        &[("give", "0")],
    )
    .await;
    let withdrawn = receiver.wait_for("consent.withdrawn").await;
    let data = &withdrawn.json()["data"];
    assert_eq!(data["customer"], serde_json::json!({ "id": sharer.id }));
    assert_eq!(data.as_object().unwrap().len(), 2, "{data}");
    let stored = app
        .db(move |c| {
            use agora::schema::webhook_deliveries::dsl::*;
            webhook_deliveries
                .filter(endpoint_id.eq(endpoint))
                .select((id, payload, redacted))
                .load::<(i64, String, Option<String>)>(c)
                .unwrap()
        })
        .await;
    for (_, body, redacted) in &stored {
        for t in sharer_texts.iter().chain(&private_texts) {
            assert!(!body.contains(t), "{t} still stored: {body}");
        }
        assert!(!body.contains(note), "internal note sent: {body}");
        // What is still named belongs to nobody who withdrew.
        if let Some(r) = redacted {
            assert!(!r.contains("hook-sharer"), "{r}");
        }
    }
    let log = get(
        &app,
        &owner,
        &format!("/partner/{slug}/webhooks/{endpoint}"),
    )
    .await;
    assert_hidden(&log, &sharer_texts);
    for (did, _, _) in &stored {
        let page = get(
            &app,
            &owner,
            &format!("/partner/{slug}/webhooks/{endpoint}/deliveries/{did}"),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_hidden(&page, &sharer_texts);
        assert_hidden(&page, &private_texts);
    }
    // Sent again after the withdrawal: the redacted body goes out.
    let first_request = stored
        .iter()
        .find(|(_, body, _)| body.contains("request.created"))
        .map(|(id, _, _)| *id)
        .unwrap();
    post(
        &app,
        &owner,
        &format!("/partner/{slug}/webhooks/{endpoint}/deliveries/{first_request}/resend"),
        &[],
    )
    .await;
    // After the withdrawal her new ticket names nobody.
    let later = open_ticket(&app, &sharer, &listing, "Is Tuesday free?").await;
    receiver
        .wait_until("her later ticket", |h| {
            h.iter()
                .any(|x| x.kind() == "ticket.created" && x.json()["data"]["number"] == later)
        })
        .await;
    let sent_after: Vec<String> = receiver
        .hits()
        .iter()
        .skip_while(|h| h.id != withdrawn.id)
        .map(|h| h.body.clone())
        .collect();
    assert!(sent_after.len() >= 3, "{sent_after:?}");
    for body in &sent_after {
        for t in sharer_texts {
            assert!(!body.contains(t), "{t} sent after withdrawal: {body}");
        }
    }

    // A deleted account withdraws: the partner is told to delete.
    request(&app, &leaver, &listing, "Walks please.", true).await;
    let deleted = post(
        &app,
        &leaver,
        "/me/delete",
        &[("password", crate::helpers::PASSWORD), ("confirm", "yes")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    receiver
        .wait_until("the leaver's withdrawal", |h| {
            h.iter().any(|x| {
                x.kind() == "consent.withdrawn" && x.json()["data"]["customer"]["id"] == leaver.id
            })
        })
        .await;
    for h in receiver.hits() {
        assert!(verify(&secret, &h), "{h:?}");
        assert!(!h.body.contains(note), "internal note sent: {}", h.body);
    }
    let leaver_mail = "hook-leaver@example.com";
    let stored = app
        .db(|c| {
            use agora::schema::webhook_deliveries::dsl::*;
            webhook_deliveries
                .select(payload)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(stored.iter().all(|b| !b.contains(leaver_mail)));
}
both!(webhooks_follow_consent);

/// A reply by email and the files on it, seen by the partner of a
/// requester who does not share their details: the words and the file,
/// never the sender's name or address (the original email stays on the
/// desk).
async fn emailed_replies_and_files_follow_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app
        .person("mail-consent-owner@example.com", "Mo Owner")
        .await;
    let (pid, pslug) = app.partner("Mail Kennels", &owner).await;
    let (_, listing) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let quiet = app.person("quiet-mail@example.com", "Quinn Mailer").await;
    request(&app, &quiet, &listing, "", false).await;
    let n = open_ticket(&app, &quiet, &listing, "The walker was late.").await;
    let root = agora::support::root_message_id(&agora::support::Links::of(&app.settings), n);
    use base64::Engine;
    let photo = base64::engine::general_purpose::STANDARD.encode([
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ]);
    let raw = format!(
        "From: Quinn Mailer <quiet-mail@example.com>\r\nTo: support@agora.test\r\nSubject: Re: Walker missing\r\nMessage-ID: <consent-mail@client.example>\r\nIn-Reply-To: {root}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nHere is where he waited.\r\n--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"corner.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{photo}\r\n--B--\r\n"
    );
    let got = app.receive_mail(&raw).await;
    assert!(
        matches!(got, agora::mail::inbound::Received::Added { .. }),
        "{got:?}"
    );
    let page = get(&app, &owner, &format!("/partner/{pslug}/tickets/{n}")).await;
    page.assert_contains("Here is where he waited.")
        .assert_contains("corner.png")
        .assert_contains("<strong>A consumer</strong>");
    assert_hidden(&page, &["Quinn Mailer", "quiet-mail@example.com", "/mail/"]);
    let start = page.body.find("href=\"/attachments/").unwrap() + 6;
    let link: String = page.body[start..].split('"').next().unwrap().into();
    let file = owner.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let disposition = file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!disposition.contains("quiet"), "{disposition}");
}
both!(emailed_replies_and_files_follow_consent);
