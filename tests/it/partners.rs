use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, spawn_app, trend_values};

async fn get(app: &TestApp, p: &Person, path: &str) -> crate::helpers::Page {
    app.get_with(&p.client, path).await
}

async fn post(
    app: &TestApp,
    p: &Person,
    path: &str,
    fields: &[(&str, &str)],
) -> crate::helpers::Page {
    app.post_with(&p.client, path, fields).await
}

async fn application_approval_and_rejection(backend: Backend) {
    let app = spawn_app(backend).await;
    let applicant = app.person("founder@example.com", "Fran Founder").await;
    let admin = app.admin("admin@example.com").await;

    let bad = post(
        &app,
        &applicant,
        "/partners/apply",
        &[
            ("name", ""),
            ("website", "ftp://x"),
            ("contact_email", "x"),
            ("description", "We fix bikes."),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("This field is required.");
    bad.assert_contains("starting with https://");
    bad.assert_contains("We fix bikes.");

    let ok = post(
        &app,
        &applicant,
        "/partners/apply",
        &[
            ("name", "Bike Doctors"),
            ("website", "https://bikes.example"),
            ("contact_email", "hello@bikes.example"),
            ("description", "We fix bikes."),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    ok.assert_contains("Application received");
    // Not public, not yet a partner area.
    assert_eq!(
        app.get("/partners/bike-doctors").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &applicant, "/partner/bike-doctors").await.status,
        StatusCode::NOT_FOUND
    );
    // Only admins see applications.
    assert_eq!(
        get(&app, &applicant, "/admin/partners").await.status,
        StatusCode::NOT_FOUND
    );
    let list = get(&app, &admin, "/admin/partners").await;
    list.assert_contains("Bike Doctors");
    list.assert_contains("Waiting for review");
    let id = app
        .db(|conn| {
            agora::models::partners::by_slug(conn, "bike-doctors")
                .unwrap()
                .unwrap()
                .id
        })
        .await;

    let approve = post(
        &app,
        &admin,
        &format!("/admin/partners/{id}/decide"),
        &[("action", "approve"), ("reason", "")],
    )
    .await;
    assert_eq!(approve.status, StatusCode::SEE_OTHER);
    let mail = app.mail.wait_for("founder@example.com", 1).await;
    assert_eq!(mail.subject, "Bike Doctors is approved on Agora");
    let dash = get(&app, &applicant, "/partner/bike-doctors").await;
    assert_eq!(dash.status, StatusCode::OK);
    dash.assert_contains("Owner");
    assert_eq!(
        app.get("/partners/bike-doctors").await.status,
        StatusCode::OK
    );

    // A second application is rejected, with a reason that is required.
    post(
        &app,
        &applicant,
        "/partners/apply",
        &[
            ("name", "Bike Doctors"),
            ("website", ""),
            ("contact_email", "hello@bikes.example"),
            ("description", "Again."),
        ],
    )
    .await;
    let id2 = app
        .db(|conn| {
            agora::models::partners::by_slug(conn, "bike-doctors-2")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let no_reason = post(
        &app,
        &admin,
        &format!("/admin/partners/{id2}/decide"),
        &[("action", "reject"), ("reason", " ")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("Give a reason");
    post(
        &app,
        &admin,
        &format!("/admin/partners/{id2}/decide"),
        &[("action", "reject"), ("reason", "Duplicate application")],
    )
    .await;
    let mail = app.mail.wait_for("founder@example.com", 2).await;
    assert_eq!(mail.subject, "Your application for Bike Doctors");
    assert!(mail.text.contains("Duplicate application"));
    assert_eq!(
        get(&app, &applicant, "/partner/bike-doctors-2")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Suspension hides listings; members see a banner; reinstating restores.
    let (_, lslug) = app.listing(id, "Puncture repair", "Fast.", true).await;
    assert_eq!(
        app.get(&format!("/listings/{lslug}")).await.status,
        StatusCode::OK
    );
    let no_reason = post(
        &app,
        &admin,
        &format!("/admin/partners/{id}/decide"),
        &[("action", "suspend")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    post(
        &app,
        &admin,
        &format!("/admin/partners/{id}/decide"),
        &[("action", "suspend"), ("reason", "Complaints")],
    )
    .await;
    assert_eq!(
        app.get(&format!("/listings/{lslug}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/partners/bike-doctors").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get("/listings?q=puncture")
            .await
            .body
            .contains("Puncture repair")
    );
    get(&app, &applicant, "/partner/bike-doctors")
        .await
        .assert_contains("This partner is suspended");
    post(
        &app,
        &admin,
        &format!("/admin/partners/{id}/decide"),
        &[("action", "reinstate")],
    )
    .await;
    assert_eq!(
        app.get(&format!("/listings/{lslug}")).await.status,
        StatusCode::OK
    );
    // A decision that does not fit the status is refused.
    post(
        &app,
        &admin,
        &format!("/admin/partners/{id}/decide"),
        &[("action", "approve")],
    )
    .await;
    get(&app, &admin, &format!("/admin/partners/{id}"))
        .await
        .assert_contains("not possible");
}
both!(application_approval_and_rejection);

async fn team_invitations_and_roles(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (pid, slug) = app.partner("Acme Care", &owner).await;
    let base = format!("/partner/{slug}");

    let bad = post(
        &app,
        &owner,
        &format!("{base}/team/invite"),
        &[("email", "nope"), ("role", "member")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("value=\"nope\"");

    // An invitation to someone without an account yet.
    post(
        &app,
        &owner,
        &format!("{base}/team/invite"),
        &[("email", "Colleague@Example.com"), ("role", "admin")],
    )
    .await;
    let mail = app.mail.wait_for("colleague@example.com", 1).await;
    assert_eq!(mail.subject, "You are invited to join Acme Care on Agora");
    let link = mail.link(&app.url("/invitations/"));
    let path = link.strip_prefix(&app.address).unwrap().to_string();
    get(&app, &owner, &format!("{base}/team"))
        .await
        .assert_contains("colleague@example.com");

    // Anonymous: asked to sign in; someone else signed in: refused.
    app.get(&path)
        .await
        .assert_contains("Sign in (or create an account) with colleague@example.com");
    let stranger = app.person("stranger@example.com", "Stranger").await;
    get(&app, &stranger, &path)
        .await
        .assert_contains("This invitation was sent to colleague@example.com");
    assert_eq!(
        post(&app, &stranger, &path, &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let colleague = app.person("colleague@example.com", "Cole League").await;
    let accepted = post(&app, &colleague, &path, &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(accepted.headers["location"], base.as_str());
    get(&app, &colleague, &format!("{base}/team"))
        .await
        .assert_contains("Cole League");
    // Single use.
    assert_eq!(
        get(&app, &colleague, &path).await.status,
        StatusCode::NOT_FOUND
    );

    // An admin cannot make anyone an owner, nor touch an owner.
    let member = app.person("member@example.com", "Mo Member").await;
    app.add_member(pid, &member, "member").await;
    post(
        &app,
        &colleague,
        &format!("{base}/team/{}/role", member.id),
        &[("role", "owner")],
    )
    .await;
    assert_eq!(
        app.db(move |c| agora::models::partners::role_of(c, pid, member.id).unwrap())
            .await,
        Some(agora::models::partners::Role::Member)
    );
    post(
        &app,
        &colleague,
        &format!("{base}/team/{}/remove", owner.id),
        &[],
    )
    .await;
    assert!(
        app.db(move |c| agora::models::partners::role_of(c, pid, owner.id).unwrap())
            .await
            .is_some()
    );

    // The last owner can be neither demoted nor removed.
    post(
        &app,
        &owner,
        &format!("{base}/team/{}/role", owner.id),
        &[("role", "member")],
    )
    .await;
    get(&app, &owner, &format!("{base}/team"))
        .await
        .assert_contains("at least one owner");
    post(
        &app,
        &owner,
        &format!("{base}/team/{}/remove", owner.id),
        &[],
    )
    .await;
    assert!(
        app.db(move |c| agora::models::partners::role_of(c, pid, owner.id).unwrap())
            .await
            .is_some()
    );
    // With a second owner, the first may step down.
    post(
        &app,
        &owner,
        &format!("{base}/team/{}/role", colleague.id),
        &[("role", "owner")],
    )
    .await;
    post(
        &app,
        &owner,
        &format!("{base}/team/{}/role", owner.id),
        &[("role", "member")],
    )
    .await;
    assert_eq!(
        app.db(move |c| agora::models::partners::role_of(c, pid, owner.id).unwrap())
            .await,
        Some(agora::models::partners::Role::Member)
    );

    // Members: 403 on team and settings.
    assert_eq!(
        get(&app, &member, &format!("{base}/team")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&app, &member, &format!("{base}/settings")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(
            &app,
            &member,
            &format!("{base}/team/invite"),
            &[("email", "x@example.com"), ("role", "member")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&app, &member, &format!("{base}/listings")).await.status,
        StatusCode::OK
    );

    // An expired invitation does not work.
    let token = app
        .db(move |c| {
            agora::models::partners::invite(
                c,
                pid,
                "late@example.com",
                agora::models::partners::Role::Member,
                1,
                time::Duration::seconds(-1),
            )
            .unwrap()
        })
        .await;
    assert_eq!(
        app.get(&format!("/invitations/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
}
both!(team_invitations_and_roles);

async fn listings_lifecycle_and_validation(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("lo@example.com", "Lo").await;
    let (_, slug) = app.partner("Lo Services", &owner).await;
    let base = format!("/partner/{slug}");

    let bad = post(
        &app,
        &owner,
        &format!("{base}/listings/new"),
        &[
            ("title", ""),
            ("slug", "Bad Slug"),
            ("summary", ""),
            ("body", "kept body"),
            ("price_text", "€5"),
            ("category_id", "999"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Use lowercase letters");
    bad.assert_contains("Choose one of the categories offered.");
    bad.assert_contains("kept body");

    let preview = post(
        &app,
        &owner,
        &format!("{base}/listings/new"),
        &[
            ("title", "Piano lessons"),
            ("summary", "Learn piano."),
            ("body", "**Weekly** lessons <script>alert(1)</script>"),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("<strong>Weekly</strong>");
    assert!(!preview.body.contains("<script>alert(1)</script>"));

    let saved = post(
        &app,
        &owner,
        &format!("{base}/listings/new"),
        &[
            ("title", "Piano lessons"),
            ("summary", "Learn piano."),
            ("body", "**Weekly** lessons"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let edit_url = saved.headers["location"].to_str().unwrap().to_string();
    // Drafts are not public.
    assert_eq!(
        app.get("/listings/piano-lessons").await.status,
        StatusCode::NOT_FOUND
    );
    // Same title again: the slug is made unique.
    post(
        &app,
        &owner,
        &format!("{base}/listings/new"),
        &[
            ("title", "Piano lessons"),
            ("summary", "Again."),
            ("action", "save"),
        ],
    )
    .await;
    let slugs = app
        .db(|c| {
            use agora::schema::listings::dsl::*;
            use diesel::prelude::*;
            listings
                .select(slug)
                .order(id.asc())
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(slugs, ["piano-lessons", "piano-lessons-2"]);
    // A taken slug typed by hand is refused.
    let taken = post(
        &app,
        &owner,
        &format!("{base}/listings/new"),
        &[
            ("title", "Other"),
            ("slug", "piano-lessons"),
            ("summary", "S"),
            ("action", "save"),
        ],
    )
    .await;
    taken.assert_contains("Another listing already uses this address.");

    let status_url = format!("{edit_url}/status");
    post(&app, &owner, &status_url, &[("to", "published")]).await;
    let public = app.get("/listings/piano-lessons").await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains("<strong>Weekly</strong>");
    post(&app, &owner, &status_url, &[("to", "archived")]).await;
    assert_eq!(
        app.get("/listings/piano-lessons").await.status,
        StatusCode::NOT_FOUND
    );
    post(&app, &owner, &status_url, &[("to", "published")]).await;
    assert_eq!(
        app.get("/listings/piano-lessons").await.status,
        StatusCode::OK
    );
    // Edits keep validation too.
    let bad_edit = post(
        &app,
        &owner,
        &edit_url,
        &[
            ("title", "Piano"),
            ("slug", ""),
            ("summary", "x"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(bad_edit.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(listings_lifecycle_and_validation);

async fn catalogue_search_filters_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("cat@example.com", "Cat").await;
    let (pid, _) = app.partner("Search Partner", &owner).await;
    let cat = app
        .db(|c| agora::models::catalogue::insert_category(c, "Learning", "learning").unwrap())
        .await;
    for i in 0..14 {
        app.listing(
            pid,
            &format!("Guitar course {i:02}"),
            "Strings and chords.",
            true,
        )
        .await;
    }
    let (yoga_id, _) = app
        .listing(pid, "Morning yoga", "Gentle stretching, 普通话授课.", true)
        .await;
    app.listing(pid, "Secret draft", "Guitar too.", false).await;
    app.db(move |c| {
        use agora::schema::listings::dsl::*;
        use diesel::prelude::*;
        diesel::update(listings.find(yoga_id))
            .set(category_id.eq(Some(cat)))
            .execute(c)
            .unwrap();
    })
    .await;

    let page = app.get("/listings?q=guitar").await;
    page.assert_contains("14 services found.");
    assert!(!page.body.contains("Secret draft"));
    let first: Vec<String> = titles(&page.body);
    assert_eq!(first.len(), 12);
    let second = app.get("/listings?q=guitar&sort=relevance&page=2").await;
    second.assert_contains("Page 2 of 2");
    let rest = titles(&second.body);
    assert_eq!(rest.len(), 2);
    assert!(rest.iter().all(|t| !first.contains(t)), "pages overlap");
    // The query stays in the URL of the next page and in the box.
    page.assert_contains("value=\"guitar\"");
    page.assert_contains("href=\"/listings?q=guitar&#38;sort=relevance&#38;page=2\"");

    app.get("/listings?q=%E6%99%AE%E9%80%9A%E8%AF%9D")
        .await
        .assert_contains("Morning yoga");
    app.get("/listings?q=yog")
        .await
        .assert_contains("Morning yoga");
    app.get("/listings?category=learning")
        .await
        .assert_contains("One service found.");
    let newest = app.get("/listings?sort=newest").await;
    newest.assert_contains("15 services found.");
    for q in [
        "\"",
        "%",
        "_",
        "' OR 1=1 --",
        "guitar\" OR \"",
        "a*",
        "NEAR(",
        "(",
        "\\",
        "%25_%",
    ] {
        let res = app
            .client
            .get(app.url("/listings"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{q}");
    }
    app.get("/listings?q=zzzz")
        .await
        .assert_contains("No services match “zzzz”.");
    assert_eq!(
        app.get("/listings?page=abc&sort=nonsense").await.status,
        StatusCode::OK
    );
}
both!(catalogue_search_filters_and_pages);

fn titles(body: &str) -> Vec<String> {
    body.match_indices("<h3><a href=\"/listings/")
        .map(|(i, _)| {
            let rest = &body[i..];
            let start = rest.find('>').unwrap() + 1;
            let rest = &rest[start..];
            let start = rest.find('>').unwrap() + 1;
            rest[start..].split('<').next().unwrap().to_string()
        })
        .collect()
}

async fn engagement_consent_and_reviews(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("po@example.com", "Pat Owner").await;
    let (pid, pslug) = app.partner("Consent Co", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walking", "Daily walks.", true).await;
    let consumer = app.person("carla@example.com", "Carla Consumer").await;
    let shy = app.person("shy@example.com", "Shy Sam").await;
    let listing = format!("/listings/{lslug}");

    // Reviews need an engagement first.
    assert_eq!(
        post(
            &app,
            &consumer,
            &format!("{listing}/review"),
            &[("rating", "5"), ("body", "Great")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let r = post(
        &app,
        &consumer,
        &format!("{listing}/engage"),
        &[("message", "Mornings please"), ("consent", "yes")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    post(&app, &shy, &format!("{listing}/engage"), &[("message", "")]).await;
    let mail = app.mail.wait_for("contact@partner.example", 1).await;
    assert_eq!(mail.subject, "New request: Dog walking");
    assert!(mail.text.contains("Carla Consumer"));
    let mail = app.mail.wait_for("contact@partner.example", 2).await;
    assert!(!mail.text.contains("Shy Sam"));
    // Once per listing.
    post(
        &app,
        &consumer,
        &format!("{listing}/engage"),
        &[("message", "again")],
    )
    .await;
    get(&app, &consumer, &listing)
        .await
        .assert_contains("You have already requested this service.");

    let crm = get(&app, &owner, &format!("/partner/{pslug}/engagements")).await;
    crm.assert_contains("Carla Consumer");
    crm.assert_contains("carla@example.com");
    crm.assert_contains("Mornings please");
    assert!(!crm.body.contains("Shy Sam") && !crm.body.contains("shy@example.com"));
    crm.assert_contains("Did not share contact details");

    // Withdrawal takes effect at once.
    post(
        &app,
        &consumer,
        &format!("{listing}/consent"),
        &[("give", "0")],
    )
    .await;
    let crm = get(&app, &owner, &format!("/partner/{pslug}/engagements")).await;
    assert!(!crm.body.contains("Carla Consumer") && !crm.body.contains("carla@example.com"));
    // And can be given again from /me/privacy.
    let privacy = get(&app, &consumer, "/me/privacy").await;
    privacy.assert_contains("Consent Co");
    privacy.assert_contains("Not shared");
    post(&app, &consumer, &format!("/me/privacy/{pid}/give"), &[]).await;
    get(&app, &owner, &format!("/partner/{pslug}/engagements"))
        .await
        .assert_contains("carla@example.com");
    post(&app, &consumer, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    assert!(
        !get(&app, &owner, &format!("/partner/{pslug}/engagements"))
            .await
            .body
            .contains("carla@example.com")
    );
    // Someone else's partner id is a 404.
    assert_eq!(
        post(&app, &consumer, "/me/privacy/999999/give", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let kinds = app
        .db(move |c| {
            use agora::schema::activities::dsl::*;
            use diesel::prelude::*;
            activities
                .filter(consumer_id.eq(consumer.id))
                .order(id.asc())
                .select(kind)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(
        kinds,
        [
            "engaged",
            "consent_given",
            "consent_withdrawn",
            "consent_given",
            "consent_withdrawn"
        ]
    );

    // Reviews: validation, one per person (edit), average, reply, hiding.
    let bad = post(
        &app,
        &consumer,
        &format!("{listing}/review"),
        &[("rating", "9"), ("body", "")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Choose from one to five stars.");
    post(
        &app,
        &consumer,
        &format!("{listing}/review"),
        &[("rating", "2"), ("body", "Late twice")],
    )
    .await;
    post(
        &app,
        &consumer,
        &format!("{listing}/review"),
        &[("rating", "4"), ("body", "Better now")],
    )
    .await;
    post(
        &app,
        &shy,
        &format!("{listing}/review"),
        &[("rating", "5"), ("body", "Lovely")],
    )
    .await;
    let page = app.get(&listing).await;
    page.assert_contains("★ 4.5");
    page.assert_contains("(2 reviews)");
    page.assert_contains("Better now");
    assert!(!page.body.contains("Late twice"));
    let rid = app
        .db(|c| {
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews
                .filter(body.eq("Lovely"))
                .select(id)
                .first::<i64>(c)
                .unwrap()
        })
        .await;
    post(
        &app,
        &owner,
        &format!("/partner/{pslug}/reviews/{rid}/reply"),
        &[("reply", "Thank you!")],
    )
    .await;
    app.get(&listing)
        .await
        .assert_contains("Reply from Consent Co");
    let admin = app.admin("mod@example.com").await;
    post(
        &app,
        &admin,
        &format!("/admin/moderation/{rid}"),
        &[("action", "hide"), ("reason", "Off topic")],
    )
    .await;
    let page = app.get(&listing).await;
    assert!(!page.body.contains("Lovely"));
    page.assert_contains("★ 4.0");
    page.assert_contains("(1 review)");
    app.get(&format!("/partners/{pslug}"))
        .await
        .assert_contains("★ 4.0");
    post(
        &app,
        &admin,
        &format!("/admin/moderation/{rid}"),
        &[("action", "unhide")],
    )
    .await;
    app.get(&listing).await.assert_contains("Lovely");
}
both!(engagement_consent_and_reviews);

async fn members_do_not_count_as_views(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("vo@example.com", "Vo").await;
    let (pid, _) = app.partner("View Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Window cleaning", "Shiny.", true).await;
    get(&app, &owner, &format!("/listings/{lslug}")).await;
    app.get(&format!("/listings/{lslug}")).await;
    app.get(&format!("/listings/{lslug}")).await;
    assert_eq!(app.wait_for_views(lid, 2).await, 2);
}
both!(members_do_not_count_as_views);

/// Partner A's people must never reach partner B's pages, by slug or id.
async fn partner_isolation_matrix(backend: Backend) {
    let app = spawn_app(backend).await;
    let a_owner = app.person("a@example.com", "A Owner").await;
    let b_owner = app.person("b@example.com", "B Owner").await;
    let a_member = app.person("am@example.com", "A Member").await;
    let consumer = app.person("c@example.com", "Consumer").await;
    let (a_id, a_slug) = app.partner("Alpha", &a_owner).await;
    let (b_id, b_slug) = app.partner("Beta", &b_owner).await;
    app.add_member(a_id, &a_member, "member").await;
    let (b_listing, _) = app.listing(b_id, "Beta thing", "b", false).await;
    let (a_listing, _) = app.listing(a_id, "Alpha thing", "a", false).await;
    let cid = consumer.id;
    let b_review = app
        .db(move |c| {
            agora::models::engagements::engage(c, b_listing, b_id, cid, "", true).unwrap();
            agora::models::engagements::save_review(c, b_listing, b_id, cid, 5, "ok").unwrap();
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews.select(id).first::<i64>(c).unwrap()
        })
        .await;

    let b_gets = [
        format!("/partner/{b_slug}"),
        format!("/partner/{b_slug}/listings"),
        format!("/partner/{b_slug}/listings/new"),
        format!("/partner/{b_slug}/listings/{b_listing}"),
        format!("/partner/{b_slug}/team"),
        format!("/partner/{b_slug}/settings"),
        format!("/partner/{b_slug}/engagements"),
        format!("/partner/{b_slug}/reviews"),
    ];
    for who in [&a_owner, &a_member, &consumer] {
        for path in &b_gets {
            assert_eq!(
                get(&app, who, path).await.status,
                StatusCode::NOT_FOUND,
                "{} GET {path}",
                who.email
            );
        }
        // Another partner's listing through one's own slug is a 404 too.
        if who.id != consumer.id {
            let path = format!("/partner/{a_slug}/listings/{b_listing}");
            assert_eq!(
                get(&app, who, &path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
            let path = format!("/partner/{a_slug}/listings/{b_listing}/status");
            assert_eq!(
                post(&app, who, &path, &[("to", "published")]).await.status,
                StatusCode::NOT_FOUND
            );
            let path = format!("/partner/{a_slug}/reviews/{b_review}/reply");
            assert_eq!(
                post(&app, who, &path, &[("reply", "hi")]).await.status,
                StatusCode::NOT_FOUND
            );
        }
        let posts: [(String, Vec<(&str, &str)>); 5] = [
            (
                format!("/partner/{b_slug}/listings/new"),
                vec![("title", "x"), ("summary", "y"), ("action", "save")],
            ),
            (
                format!("/partner/{b_slug}/listings/{b_listing}/status"),
                vec![("to", "published")],
            ),
            (
                format!("/partner/{b_slug}/team/invite"),
                vec![("email", "e@example.com"), ("role", "owner")],
            ),
            (
                format!("/partner/{b_slug}/team/{}/remove", b_owner.id),
                vec![],
            ),
            (
                format!("/partner/{b_slug}/settings"),
                vec![
                    ("name", "Hacked"),
                    ("contact_email", "h@example.com"),
                    ("description", "x"),
                ],
            ),
        ];
        for (path, fields) in &posts {
            assert_eq!(
                post(&app, who, path, fields).await.status,
                StatusCode::NOT_FOUND,
                "{} POST {path}",
                who.email
            );
        }
    }
    // A consumer sees no partner page at all, not even by a real slug.
    for path in [
        format!("/partner/{a_slug}"),
        format!("/partner/{a_slug}/listings/{a_listing}"),
    ] {
        assert_eq!(
            get(&app, &consumer, &path).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // A plain member: 403 on team and settings of their own partner.
    assert_eq!(
        get(&app, &a_member, &format!("/partner/{a_slug}/team"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&app, &a_member, &format!("/partner/{a_slug}/settings"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Anonymous: sent to sign in.
    assert_eq!(
        app.get(&format!("/partner/{b_slug}")).await.status,
        StatusCode::SEE_OTHER
    );
    // Nothing changed at Beta.
    let (name, status) = app
        .db(move |c| {
            let p = agora::models::partners::by_id(c, b_id).unwrap().unwrap();
            let l = agora::models::listings::of_partner_by_id(c, b_id, b_listing)
                .unwrap()
                .unwrap();
            (p.name, l.status)
        })
        .await;
    assert_eq!((name.as_str(), status.as_str()), ("Beta", "draft"));
}
both!(partner_isolation_matrix);

const PAYLOADS: [&str; 2] = [
    "<script>alert('x')</script>",
    "\"><img src=x onerror=alert(1)>",
];

async fn every_text_field_is_inert(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("xo@example.com", "Xo").await;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let evil_user = app.person(&format!("evil{i}@example.com"), payload).await;
        let (pid, pslug) = app.partner(&format!("Evil {i} {payload}"), &owner).await;
        app.db(move |c| {
            agora::models::partners::update_profile(
                c,
                pid,
                &format!("Evil {i} {}", PAYLOADS[i]),
                "",
                PAYLOADS[i],
                "e@example.com",
                true,
            )
            .unwrap()
        })
        .await;
        let title = format!("T{i} {payload}");
        let (_, lslug) = app
            .listing(
                pid,
                &title,
                &format!("body {payload} [x](javascript:alert(1))"),
                true,
            )
            .await;
        let listing = format!("/listings/{lslug}");
        post(
            &app,
            &evil_user,
            &format!("{listing}/engage"),
            &[("message", payload), ("consent", "yes")],
        )
        .await;
        post(
            &app,
            &evil_user,
            &format!("{listing}/review"),
            &[("rating", "3"), ("body", payload)],
        )
        .await;
        let rid = app
            .db(move |c| {
                use agora::schema::reviews::dsl::*;
                use diesel::prelude::*;
                reviews
                    .filter(partner_id.eq(pid))
                    .select(id)
                    .first::<i64>(c)
                    .unwrap()
            })
            .await;
        post(
            &app,
            &owner,
            &format!("/partner/{pslug}/reviews/{rid}/reply"),
            &[("reply", payload)],
        )
        .await;
        let admin = app.admin(&format!("xadmin{i}@example.com")).await;
        let pages = [
            app.get(&listing).await,
            app.get(&format!("/partners/{pslug}")).await,
            app.get(&format!("/listings?q=T{i}")).await,
            get(&app, &owner, &format!("/partner/{pslug}/engagements")).await,
            get(&app, &owner, &format!("/partner/{pslug}/reviews")).await,
            get(&app, &owner, &format!("/partner/{pslug}/team")).await,
            get(&app, &owner, &format!("/partner/{pslug}/listings")).await,
            get(&app, &owner, &format!("/partner/{pslug}/customers")).await,
            get(
                &app,
                &owner,
                &format!("/partner/{pslug}/customers/{}", evil_user.id),
            )
            .await,
            get(&app, &evil_user, "/me/privacy").await,
            get(&app, &evil_user, "/me").await,
            get(&app, &admin, "/admin/moderation").await,
            get(&app, &admin, "/admin/partners").await,
        ];
        for page in &pages {
            assert_eq!(page.status, StatusCode::OK, "{}", page.url);
            assert!(
                !page.body.contains("<script>alert"),
                "raw script on {}",
                page.url
            );
            assert!(!page.body.contains("<img src=x"), "raw img on {}", page.url);
            assert!(
                !page.body.contains("javascript:alert"),
                "js link on {}",
                page.url
            );
        }
        assert!(
            pages[0].body.contains(&format!("T{i} &#60;"))
                || pages[0].body.contains(&format!("T{i} &#34;&#62;&#60;")),
            "the payload is shown, escaped:\n{}",
            pages[0].body
        );
    }
}
both!(every_text_field_is_inert);

async fn categories_settings_and_replies(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("cadmin@example.com").await;
    let bad = post(&app, &admin, "/admin/categories", &[("name", "  ")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    post(&app, &admin, "/admin/categories", &[("name", "Pet care")]).await;
    let dup = post(&app, &admin, "/admin/categories", &[("name", "Pet Care")]).await;
    dup.assert_contains("A category with this name exists already.");
    dup.assert_contains("value=\"Pet Care\"");
    let cid = app
        .db(|c| agora::models::listings::categories(c).unwrap()[0].id)
        .await;
    post(
        &app,
        &admin,
        &format!("/admin/categories/{cid}"),
        &[("name", "Pets")],
    )
    .await;
    get(&app, &admin, "/admin/categories")
        .await
        .assert_contains("value=\"Pets\"");

    let owner = app.person("so@example.com", "So").await;
    let (pid, pslug) = app.partner("Quiet Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Cat sitting", "Purr.", true).await;
    app.db(move |c| {
        use agora::schema::listings::dsl::*;
        use diesel::prelude::*;
        diesel::update(listings.find(lid))
            .set(category_id.eq(Some(cid)))
            .execute(c)
            .unwrap();
    })
    .await;
    // A category in use cannot go.
    post(
        &app,
        &admin,
        &format!("/admin/categories/{cid}/delete"),
        &[],
    )
    .await;
    get(&app, &admin, "/admin/categories")
        .await
        .assert_contains("cannot be deleted");
    app.get("/listings?category=pet-care")
        .await
        .assert_contains("Cat sitting");

    // Settings: validation keeps input; turning notifications off stops the emails.
    let bad = post(
        &app,
        &owner,
        &format!("/partner/{pslug}/settings"),
        &[
            ("name", "Quiet Co"),
            ("website", "nope"),
            ("contact_email", "q@example.com"),
            ("description", "Kept text"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Kept text");
    let ok = post(
        &app,
        &owner,
        &format!("/partner/{pslug}/settings"),
        &[
            ("name", "Quiet Company"),
            ("website", ""),
            ("contact_email", "q@example.com"),
            ("description", "We sit cats."),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // The new name is searchable at once.
    app.get("/listings?q=company")
        .await
        .assert_contains("Cat sitting");
    let consumer = app.person("cc@example.com", "Cc").await;
    post(
        &app,
        &consumer,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(
        app.mail.to("q@example.com").is_empty(),
        "notifications were off"
    );

    // An empty reply is refused with the message next to it.
    post(
        &app,
        &consumer,
        &format!("/listings/{lslug}/review"),
        &[("rating", "4"), ("body", "Good")],
    )
    .await;
    let rid = app
        .db(|c| {
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews.select(id).first::<i64>(c).unwrap()
        })
        .await;
    let page = post(
        &app,
        &owner,
        &format!("/partner/{pslug}/reviews/{rid}/reply"),
        &[("reply", "   ")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("This field is required.");
}
both!(categories_settings_and_replies);

async fn one_person_in_two_partners(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("two@example.com", "Twofold").await;
    let (_, first) = app.partner("First Co", &owner).await;
    let only = get(&app, &owner, "/partner").await;
    assert_eq!(only.status, StatusCode::SEE_OTHER);
    assert_eq!(
        only.headers["location"],
        format!("/partner/{first}").as_str()
    );
    let other = app.person("other@example.com", "Other").await;
    let (second_id, second) = app.partner("Second Co", &other).await;
    app.add_member(second_id, &owner, "member").await;
    let list = get(&app, &owner, "/partner").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(&format!("href=\"/partner/{first}\""));
    list.assert_contains(&format!("href=\"/partner/{second}\""));
    get(&app, &owner, &format!("/partner/{second}"))
        .await
        .assert_contains("Member");
    get(&app, &owner, &format!("/partner/{first}"))
        .await
        .assert_contains("Owner");
}
both!(one_person_in_two_partners);

async fn dashboard_figures(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("dash@example.com", "Dash").await;
    let (pid, pslug) = app.partner("Dash Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Piano tuning", "Tuned.", true).await;
    app.listing(pid, "Draft thing", "x", false).await;
    for _ in 0..4 {
        app.get(&format!("/listings/{lslug}")).await;
    }
    assert_eq!(app.wait_for_views(lid, 4).await, 4);
    let consumer = app.person("dc@example.com", "Dc").await;
    post(
        &app,
        &consumer,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    post(
        &app,
        &consumer,
        "/me/tickets/new",
        &[
            ("subject", "Tuning date"),
            ("message", "When?"),
            ("priority", "normal"),
            ("listing", &lslug),
        ],
    )
    .await;
    let page = get(&app, &owner, &format!("/partner/{pslug}")).await;
    page.assert_contains("<span class=\"stat\">1</span> published listings");
    page.assert_contains("<span class=\"stat\">1</span> drafts");
    page.assert_contains("<span class=\"stat\">4</span> views in the last 30 days");
    // One request on four views is no rate to speak of.
    page.assert_contains("<span class=\"stat\">–</span> of views became requests");
    page.assert_contains("not enough views yet (fewer than 20)");
    assert!(!page.body.contains("25 %"));
    page.assert_contains(&format!("<a href=\"/partner/{pslug}/tickets\">1</a>"));
    // Twenty views today: one request makes 5 per hundred.
    app.db(move |c| {
        use agora::schema::listing_views::dsl::*;
        use diesel::prelude::*;
        diesel::update(listing_views)
            .set(views.eq(20))
            .execute(c)
            .unwrap()
    })
    .await;
    let page = get(&app, &owner, &format!("/partner/{pslug}")).await;
    page.assert_contains("<span class=\"stat\">20</span> views in the last 30 days");
    page.assert_contains("<span class=\"stat\">5 %</span> of views became requests");
    let figures = &page.body[..page.body.find("class=\"trends\"").unwrap()];
    assert!(!figures.contains("not enough views"));
    // The day's bar says the same; days without views say too few.
    let conversion = crate::helpers::trend_cells(&page.body, "conversion");
    assert_eq!(conversion.last().unwrap(), &vec![Some(5)]);
    assert_eq!(conversion[0], vec![None]);
}
both!(dashboard_figures);

async fn crm_customers_tags_notes_and_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("crm@example.com", "Cr Owner").await;
    let member = app.person("crmm@example.com", "Cr Member").await;
    let (pid, pslug) = app.partner("Crm Co", &owner).await;
    app.add_member(pid, &member, "member").await;
    let (_, lslug) = app.listing(pid, "Bike repair", "Fix.", true).await;
    let ann = app.person("ann@example.com", "=Ann Formula").await;
    let bob = app.person("bob@example.com", "Bob").await;
    let shy = app.person("shy@example.com", "Shy").await;
    post(
        &app,
        &ann,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    post(
        &app,
        &ann,
        &format!("/listings/{lslug}/review"),
        &[("rating", "5"), ("body", "Great")],
    )
    .await;
    post(
        &app,
        &bob,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    post(&app, &shy, &format!("/listings/{lslug}/engage"), &[]).await;
    let base = format!("/partner/{pslug}/customers");

    let list = get(&app, &member, &base).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("ann@example.com");
    list.assert_contains("bob@example.com");
    assert!(!list.body.contains("shy@example.com"));
    list.assert_contains("How segments are made");
    // Everyone here started within 30 days.
    list.assert_contains("New");

    let ann_page = format!("{base}/{}", ann.id);
    let bad = post(
        &app,
        &member,
        &format!("{ann_page}/tags"),
        &[("tag", "a,b")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("no commas");
    post(
        &app,
        &member,
        &format!("{ann_page}/tags"),
        &[("tag", "VIP")],
    )
    .await;
    post(
        &app,
        &member,
        &format!("{ann_page}/notes"),
        &[("body", "Prefers Saturday mornings")],
    )
    .await;
    let page = get(&app, &owner, &ann_page).await;
    page.assert_contains("Prefers Saturday mornings");
    page.assert_contains(">vip<");
    page.assert_contains("Requested a service");
    page.assert_contains("Wrote a review");
    let only_vip = get(&app, &owner, &format!("{base}?tag=vip")).await;
    only_vip.assert_contains("ann@example.com");
    assert!(!only_vip.body.contains("bob@example.com"));
    assert!(
        !get(&app, &owner, &format!("{base}?segment=hibernating"))
            .await
            .body
            .contains("ann@example.com")
    );
    get(&app, &owner, &format!("{base}?segment=new"))
        .await
        .assert_contains("ann@example.com");

    let csv = app
        .get_with(&owner.client, &format!("/partner/{pslug}/customers.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.body.contains("'=Ann Formula,ann@example.com"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("bob@example.com"));
    assert!(!csv.body.contains("shy@example.com"));

    // Withdrawal removes the person and the notes at once.
    post(&app, &ann, &format!("/me/privacy/{pid}/withdraw"), &[]).await;
    assert_eq!(
        get(&app, &owner, &ann_page).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !get(&app, &owner, &base)
            .await
            .body
            .contains("ann@example.com")
    );
    assert!(
        !app.get_with(&owner.client, &format!("/partner/{pslug}/customers.csv"))
            .await
            .body
            .contains("ann@example.com")
    );
    assert_eq!(
        post(&app, &owner, &format!("{ann_page}/notes"), &[("body", "x")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not a customer at all, and other partners.
    assert_eq!(
        get(&app, &owner, &format!("{base}/{}", shy.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let stranger = app.person("st@example.com", "St").await;
    let (_, other) = app.partner("Other Co", &stranger).await;
    assert_eq!(
        get(&app, &stranger, &base).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &app,
            &stranger,
            &format!("/partner/{other}/customers/{}", bob.id)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with(&stranger.client, &format!("/partner/{pslug}/customers.csv"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
both!(crm_customers_tags_notes_and_export);

async fn one_click_unsubscribe_from_request_emails(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("uo@example.com", "Uo").await;
    let (pid, _) = app.partner("Quiet Please", &owner).await;
    let (_, lslug) = app.listing(pid, "Window washing", "Clean.", true).await;
    let first = app.person("u1@example.com", "U1").await;
    post(
        &app,
        &first,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    let mail = app.mail.wait_for("contact@partner.example", 1).await;
    let link = mail.link(&app.url("/unsubscribe/engagements/"));
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

    // Opening the link only asks.
    app.get(&path)
        .await
        .assert_contains("Stop emailing Quiet Please about new requests?");
    let on = app
        .db(move |c| {
            agora::models::partners::by_id(c, pid)
                .unwrap()
                .unwrap()
                .notify_engagements
        })
        .await;
    assert!(on);
    // A forged signature does nothing.
    let forged = crate::helpers::bare_client()
        .post(app.url(&format!("{path}x")))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    // The mail client's one-click POST: no cookie, no CSRF token.
    let res = crate::helpers::bare_client()
        .post(app.url(&path))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("no longer gets emails about new requests")
    );
    let on = app
        .db(move |c| {
            agora::models::partners::by_id(c, pid)
                .unwrap()
                .unwrap()
                .notify_engagements
        })
        .await;
    assert!(!on);
    let second = app.person("u2@example.com", "U2").await;
    post(
        &app,
        &second,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(app.mail.to("contact@partner.example").len(), 1);
}
both!(one_click_unsubscribe_from_request_emails);

async fn overview_charts_count_each_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("chart-owner@example.com", "Olga").await;
    let (pid, slug) = app.partner("Chart Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Piano tuning", "Tuned.", true).await;
    let mut people = Vec::new();
    for (i, email) in ["c1@example.com", "c2@example.com", "c3@example.com"]
        .iter()
        .enumerate()
    {
        let p = app.person(email, &format!("C{i}")).await;
        let page = app
            .post_with(&p.client, &format!("/listings/{lslug}/engage"), &[])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        people.push(p);
    }
    // Today, two days ago, and ten days ago (the week before).
    let today = agora::models::now().date();
    app.db(move |c| {
        use agora::schema::{engagements, listing_views};
        use diesel::prelude::*;
        let ids: Vec<i64> = engagements::table
            .order(engagements::id)
            .select(engagements::id)
            .load(c)
            .unwrap();
        for (id, days) in ids.iter().zip([0i64, 2, 10]) {
            let at = time::PrimitiveDateTime::new(
                today - time::Duration::days(days),
                time::macros::time!(12:00),
            );
            diesel::update(engagements::table.find(id))
                .set(engagements::created_at.eq(at))
                .execute(c)
                .unwrap();
        }
        for (days, views) in [(0i64, 5), (3, 2), (9, 4)] {
            diesel::insert_into(listing_views::table)
                .values((
                    listing_views::listing_id.eq(lid),
                    listing_views::day.eq((today - time::Duration::days(days)).to_string()),
                    listing_views::views.eq(views),
                ))
                .execute(c)
                .unwrap();
        }
    })
    .await;
    let page = app
        .get_with(&owner.client, &format!("/partner/{slug}?period=7"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("aria-current=\"page\">7 days");
    page.assert_contains("<svg class=\"chart\"");
    // Seven bars, today last.
    assert_eq!(
        trend_values(&page.body, "requests"),
        vec![0, 0, 0, 0, 1, 0, 1]
    );
    assert_eq!(trend_values(&page.body, "views"), vec![0, 0, 0, 2, 0, 0, 5]);
    // Two requests against one the week before: +100 %; views 7 against 4.
    page.assert_contains("100 % against the period before");
    page.assert_contains("75 % against the period before");
    // Nothing to compare the reviews with.
    page.assert_contains("nothing in the period before to compare with");
    // A year is drawn by week; a period not offered falls back to 30 days.
    let year = app
        .get_with(&owner.client, &format!("/partner/{slug}?period=365"))
        .await;
    assert_eq!(trend_values(&year.body, "requests").len(), 52);
    assert_eq!(trend_values(&year.body, "requests").iter().sum::<i64>(), 3);
    let odd = app
        .get_with(&owner.client, &format!("/partner/{slug}?period=8"))
        .await;
    assert_eq!(trend_values(&odd.body, "requests").len(), 30);
}
both!(overview_charts_count_each_day);
