//! The partner API: tokens made and revoked at /partner/{slug}/developers,
//! bearer authentication with scopes, one partner's records only, problem
//! documents, cursor paging and the per-token rate limit.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, secret_in, spawn_app, spawn_app_with};

/// Makes a token through the developers form; returns the secret shown.
async fn make_token(
    app: &TestApp,
    owner: &Person,
    slug: &str,
    name: &str,
    scopes: &[&str],
) -> String {
    let mut fields = vec![("name", name), ("expiry", "90")];
    for s in scopes {
        fields.push(("scope", s));
    }
    let page = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/developers"),
            &fields,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    secret_in(&page)
}

async fn api(
    app: &TestApp,
    secret: Option<&str>,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    call(app, secret, reqwest::Method::GET, path, None, None).await
}

/// A request to the API, with a bearer token when given, an
/// `Idempotency-Key` and a JSON body when given; the answer must be JSON.
async fn call(
    app: &TestApp,
    secret: Option<&str>,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"));
    (status, headers, json)
}

fn problem_type(h: &reqwest::header::HeaderMap) -> &str {
    h.get("content-type").unwrap().to_str().unwrap()
}

async fn emails_to(app: &TestApp, to: &str) -> Vec<String> {
    let to = to.to_string();
    app.db(move |c| {
        use agora::schema::outgoing_email::dsl::*;
        outgoing_email
            .filter(to_addr.eq(to))
            .order(id.asc())
            .select(subject)
            .load::<String>(c)
            .unwrap()
    })
    .await
}

async fn audited(app: &TestApp, what: &str) -> i64 {
    let what = what.to_string();
    app.db(move |c| {
        use agora::schema::audit_events::dsl::*;
        audit_events
            .filter(action.eq(what))
            .count()
            .get_result(c)
            .unwrap()
    })
    .await
}

async fn token_lifecycle_scopes_and_partners(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("api-owner@example.com", "Ana Owner").await;
    let admin = app.person("api-admin@example.com", "Abe Admin").await;
    let member = app.person("api-member@example.com", "Meg Member").await;
    let (pid, slug) = app.partner("Api Studio", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    app.add_member(pid, &member, "member").await;
    let (published, _) = app
        .listing(pid, "Api yoga", "**Strong** stretch.", true)
        .await;
    let (draft, _) = app.listing(pid, "Api draft", "Later.", false).await;
    let other_owner = app.person("api-other@example.com", "Oli Other").await;
    let (other_pid, _) = app.partner("Other Studio", &other_owner).await;
    let (foreign, _) = app
        .listing(other_pid, "Foreign yoga", "Theirs.", true)
        .await;

    // Members may not see or make tokens.
    let base = format!("/partner/{slug}/developers");
    assert_eq!(
        app.get_with(&member.client, &base).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = app
        .post_with(
            &member.client,
            &base,
            &[("name", "x"), ("scope", "listings:read"), ("expiry", "90")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A bad form keeps what was typed and says what is wrong.
    let bad = app
        .post_with(
            &owner.client,
            &base,
            &[("name", "Kept name"), ("expiry", "7")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Choose at least one scope.")
        .assert_contains("Choose one of the expiries offered.")
        .assert_contains("value=\"Kept name\"");

    let secret = make_token(&app, &owner, &slug, "Booking sync", &["listings:read"]).await;
    assert!(secret.starts_with("agora_pt_"));
    // Shown once: the list names the token by its prefix only.
    let list = app.get_with(&owner.client, &base).await;
    list.assert_contains("Booking sync")
        .assert_contains(&secret[..15]);
    assert!(!list.body.contains(&secret), "the secret is shown again");
    // Stored hashed.
    let s = secret.clone();
    let stored: (String, String) = app
        .db(move |c| {
            use agora::schema::api_tokens::dsl::*;
            let row: (String, String) = api_tokens.select((token_hash, prefix)).first(c).unwrap();
            assert!(!row.0.contains(&s[9..]));
            row
        })
        .await;
    assert_eq!(stored.0, agora::models::tokens::hash(&secret));
    assert!(secret.starts_with(&stored.1));
    assert_eq!(audited(&app, "api_token_created").await, 1);
    for to in ["api-owner@example.com", "api-admin@example.com"] {
        let mails = emails_to(&app, to).await;
        assert!(
            mails.iter().any(|m| m.contains("Booking sync")),
            "{to}: {mails:?}"
        );
    }
    assert!(emails_to(&app, "api-member@example.com").await.is_empty());

    // The API: the token's partner's listings, drafts too.
    let (st, h, body) = api(&app, Some(&secret), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(h.get("ratelimit-remaining").is_some());
    assert!(h.get("set-cookie").is_none());
    let ids: Vec<i64> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![draft, published]);
    let (_, _, body) = api(&app, Some(&secret), "/api/v1/listings?status=published").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert!(
        body["data"][0]["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>Strong</strong>")
    );
    assert_eq!(body["data"][0]["body_markdown"], "**Strong** stretch.");
    let (st, _, one) = api(
        &app,
        Some(&secret),
        &format!("/api/v1/listings/{published}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["title"], "Api yoga");
    // Another partner's listing does not exist for this token.
    let (st, h, p) = api(&app, Some(&secret), &format!("/api/v1/listings/{foreign}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(problem_type(&h), "application/problem+json");
    assert_eq!(p["status"], 404);
    let (st, _, p) = api(&app, Some(&secret), "/api/v1/listings?status=sold").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("draft, published or archived")
    );
    let (st, _, _) = api(&app, Some(&secret), "/api/v1/listings?cursor=junk").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // No token, a wrong one, or only a session cookie: 401.
    for bearer in [None, Some("agora_pt_wrong"), Some("not-even-a-token")] {
        let (st, h, p) = api(&app, bearer, "/api/v1/listings").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{bearer:?}");
        assert!(
            h.get("www-authenticate")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(p["status"], 401);
    }
    let by_cookie = owner
        .client
        .get(app.url("/api/v1/listings"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), StatusCode::UNAUTHORIZED);
    // Problems speak the caller's language.
    let zh = reqwest::Client::new()
        .get(app.url("/api/v1/listings"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(zh.headers().get("content-language").unwrap(), "zh-CN");
    assert!(zh.text().await.unwrap().contains("需要有效的 API 令牌"));

    // A token without the scope: 403 naming the scope needed.
    let reviews_only = make_token(&app, &owner, &slug, "Reviews", &["reviews:read"]).await;
    let (st, _, p) = api(&app, Some(&reviews_only), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(p["detail"].as_str().unwrap().contains("listings:read"));

    // Expired: 401.
    app.db(|c| {
        use agora::schema::api_tokens::dsl::*;
        diesel::update(api_tokens.filter(name.eq("Reviews")))
            .set(expires_at.eq(Some(agora::models::now() - time::Duration::minutes(1))))
            .execute(c)
            .unwrap()
    })
    .await;
    let (st, _, _) = api(&app, Some(&reviews_only), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Revoked, by another manager: 401 at once, audited and mailed.
    let token_id: i64 = app
        .db(|c| {
            use agora::schema::api_tokens::dsl::*;
            api_tokens
                .filter(name.eq("Booking sync"))
                .select(id)
                .first(c)
                .unwrap()
        })
        .await;
    // Another partner's manager cannot revoke it: 404.
    let (_, other_slug) = (
        other_pid,
        app.db(move |c| {
            use agora::schema::partners::dsl::*;
            partners
                .find(other_pid)
                .select(slug)
                .first::<String>(c)
                .unwrap()
        })
        .await,
    );
    let cross = app
        .post_with(
            &other_owner.client,
            &format!("/partner/{other_slug}/developers/{token_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(cross.status, StatusCode::NOT_FOUND);
    let revoked = app
        .post_with(&admin.client, &format!("{base}/{token_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let (st, _, _) = api(&app, Some(&secret), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(audited(&app, "api_token_revoked").await, 1);
    let mails = emails_to(&app, "api-owner@example.com").await;
    assert!(mails.iter().any(|m| m.contains("revoked")), "{mails:?}");
    app.get_with(&owner.client, &base)
        .await
        .assert_contains("Revoked");
}
both!(token_lifecycle_scopes_and_partners);

async fn cursor_paging_is_stable_under_inserts(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("pager@example.com", "Pat Pager").await;
    let (pid, slug) = app.partner("Paged Studio", &owner).await;
    let mut made = Vec::new();
    for n in 0..7 {
        made.push(
            app.listing(pid, &format!("Paged {n}"), "Body.", n % 2 == 0)
                .await
                .0,
        );
    }
    let secret = make_token(&app, &owner, &slug, "Pager", &["listings:read"]).await;
    let (_, _, first) = api(&app, Some(&secret), "/api/v1/listings?limit=3").await;
    let mut seen: Vec<i64> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    let mut cursor = first["next_cursor"].as_str().unwrap().to_string();
    // New listings arrive between pages: they neither shift nor repeat rows.
    app.listing(pid, "Paged late 1", "Body.", true).await;
    app.listing(pid, "Paged late 2", "Body.", false).await;
    loop {
        let (st, _, page) = api(
            &app,
            Some(&secret),
            &format!("/api/v1/listings?limit=3&cursor={cursor}"),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made);
    let (st, _, _) = api(&app, Some(&secret), "/api/v1/listings?limit=101").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}
both!(cursor_paging_is_stable_under_inserts);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_token_has_a_rate_limit() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.api_rate_per_minute = 3).await;
    let owner = app.person("limit@example.com", "Lim Owner").await;
    let (_, slug) = app.partner("Limited Studio", &owner).await;
    let secret = make_token(&app, &owner, &slug, "Busy", &["listings:read"]).await;
    let other = make_token(&app, &owner, &slug, "Calm", &["listings:read"]).await;
    for left in [2, 1, 0] {
        let (st, h, _) = api(&app, Some(&secret), "/api/v1/listings").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(h.get("ratelimit-limit").unwrap(), "3");
        assert_eq!(
            h.get("ratelimit-remaining").unwrap().to_str().unwrap(),
            left.to_string()
        );
    }
    let (st, h, p) = api(&app, Some(&secret), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = h
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(p["status"], 429);
    // Another token of the same partner counts on its own.
    let (st, _, _) = api(&app, Some(&other), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::OK);
}

/// The OpenAPI document names every route the API serves (and nothing
/// else), and the reference page shows every operation with its scopes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_reference_cover_every_route() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let served: std::collections::BTreeSet<(String, String)> = agora::api::ROUTES
        .iter()
        .filter(|(_, p)| *p != "/openapi.json")
        .map(|(m, p)| (m.to_string(), format!("/api/v1{p}")))
        .collect();
    assert_eq!(documented, served, "routes and the OpenAPI document differ");
    // Every operation needs a token with a scope, and says which.
    for (method, path) in &documented {
        let op = &doc["paths"][path][method];
        let scopes = op["security"][0]["bearer"].as_array();
        assert!(
            scopes.is_some_and(|s| !s.is_empty()),
            "{method} {path} names no scope"
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{method} {path} lacks its 401"
        );
    }

    let page = app.get("/developers").await;
    assert_eq!(page.status, StatusCode::OK);
    for (method, path) in &documented {
        page.assert_contains(&format!("{} {path}", method.to_uppercase()));
    }
    page.assert_contains("listings:read")
        .assert_contains("Lists the partner&#39;s listings");
}

async fn send(
    app: &TestApp,
    secret: &str,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    call(app, Some(secret), method, path, key, body).await
}

async fn listings_titled(app: &TestApp, t: &str) -> i64 {
    let t = t.to_string();
    app.db(move |c| {
        use agora::schema::listings::dsl::*;
        listings.filter(title.eq(t)).count().get_result(c).unwrap()
    })
    .await
}

async fn listings_are_written_through_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("writer@example.com", "Wren Writer").await;
    let (_, slug) = app.partner("Writing Studio", &owner).await;
    let other = app.person("writer-other@example.com", "Other Writer").await;
    let (other_pid, _) = app.partner("Other Writing", &other).await;
    let (foreign, _) = app.listing(other_pid, "Not yours", "No.", true).await;
    let secret = make_token(
        &app,
        &owner,
        &slug,
        "Writer",
        &["listings:read", "listings:write"],
    )
    .await;
    let reader = make_token(&app, &owner, &slug, "Reader", &["listings:read"]).await;
    let post = reqwest::Method::POST;
    let body = r#"{"title": "Evening yoga", "summary": "Small groups.", "body_markdown": "Bring a *mat*."}"#;

    let (st, h, created) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        Some("k1"),
        Some(body),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        h.get("location").unwrap(),
        &format!("/api/v1/listings/{id}")
    );
    assert_eq!(created["status"], "draft");
    assert!(
        created["body_html"]
            .as_str()
            .unwrap()
            .contains("<em>mat</em>")
    );
    // A retry with the same key makes nothing new and answers the same.
    let (st, h, again) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        Some("k1"),
        Some(body),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(h.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again["id"], id);
    assert_eq!(listings_titled(&app, "Evening yoga").await, 1);
    // The same key with another body is refused.
    let (st, _, _) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        Some("k1"),
        Some(r#"{"title": "Other", "summary": "S"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Two at once with one key: one listing.
    let twice = r#"{"title": "Twice yoga", "summary": "Once."}"#;
    let (a, b) = tokio::join!(
        send(
            &app,
            &secret,
            post.clone(),
            "/api/v1/listings",
            Some("k2"),
            Some(twice)
        ),
        send(
            &app,
            &secret,
            post.clone(),
            "/api/v1/listings",
            Some("k2"),
            Some(twice)
        ),
    );
    for (st, _, _) in [&a, &b] {
        assert!(
            *st == StatusCode::CREATED || *st == StatusCode::CONFLICT,
            "{st}"
        );
    }
    assert_eq!(listings_titled(&app, "Twice yoga").await, 1);

    // Bad bodies: said field by field, in problem documents.
    let (st, _, p) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        None,
        Some(r#"{"summary": "No title"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "title");
    let (st, _, p) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        None,
        Some(r#"{"title": "T", "summary": "S", "colour": "red"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("colour"));
    let (st, _, _) = send(
        &app,
        &secret,
        post.clone(),
        "/api/v1/listings",
        None,
        Some("not json"),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = send(
        &app,
        &reader,
        post.clone(),
        "/api/v1/listings",
        None,
        Some(body),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // A change keeps what it leaves out.
    let (st, _, changed) = send(
        &app,
        &secret,
        reqwest::Method::PATCH,
        &format!("/api/v1/listings/{id}"),
        None,
        Some(r#"{"title": "Morning yoga"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "Morning yoga");
    assert_eq!(changed["summary"], "Small groups.");
    let (st, _, _) = send(
        &app,
        &secret,
        reqwest::Method::PATCH,
        &format!("/api/v1/listings/{foreign}"),
        None,
        Some(r#"{"title": "Mine now"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Published: in the catalogue at once; archived: gone; twice: refused.
    let public = format!("/listings/{}", changed["slug"].as_str().unwrap());
    assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND);
    let (st, _, published) = send(
        &app,
        &secret,
        post.clone(),
        &format!("/api/v1/listings/{id}/publish"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(published["status"], "published");
    app.get(&public).await.assert_contains("Morning yoga");
    let (st, _, _) = send(
        &app,
        &secret,
        post.clone(),
        &format!("/api/v1/listings/{id}/archive"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND);
    let (st, _, p) = send(
        &app,
        &secret,
        post.clone(),
        &format!("/api/v1/listings/{id}/archive"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    let (st, _, _) = send(
        &app,
        &secret,
        post,
        &format!("/api/v1/listings/{foreign}/archive"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
both!(listings_are_written_through_the_api);

/// A token's power is its maker's: when the owner or admin who made it is
/// removed from the team or made a plain member, it stops working.
async fn a_token_stops_with_its_maker(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("maker-owner@example.com", "Mo Owner").await;
    let admin = app.person("maker-admin@example.com", "Ada Admin").await;
    let (pid, slug) = app.partner("Maker Studio", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    let secret = make_token(&app, &admin, &slug, "Ada's sync", &["listings:read"]).await;
    let kept = make_token(&app, &owner, &slug, "Owner's sync", &["listings:read"]).await;
    assert_eq!(
        api(&app, Some(&secret), "/api/v1/listings").await.0,
        StatusCode::OK
    );
    let demoted = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/team/{}/role", admin.id),
            &[("role", "member")],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::SEE_OTHER, "{}", demoted.body);
    assert_eq!(
        api(&app, Some(&secret), "/api/v1/listings").await.0,
        StatusCode::UNAUTHORIZED
    );
    let removed = app
        .post_with(
            &owner.client,
            &format!("/partner/{slug}/team/{}/remove", admin.id),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(
        api(&app, Some(&secret), "/api/v1/listings").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api(&app, Some(&kept), "/api/v1/listings").await.0,
        StatusCode::OK
    );
    // A maker whose account is disabled takes their tokens with them.
    let owner_id = owner.id;
    app.db(move |c| {
        use agora::schema::users::dsl::*;
        diesel::update(users.find(owner_id))
            .set(disabled_at.eq(Some(agora::models::now())))
            .execute(c)
            .unwrap()
    })
    .await;
    assert_eq!(
        api(&app, Some(&kept), "/api/v1/listings").await.0,
        StatusCode::UNAUTHORIZED
    );
}
both!(a_token_stops_with_its_maker);

/// An address that keeps sending wrong tokens is refused for the minute
/// before any more are looked up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_tokens_is_stopped() {
    let app = spawn_app(Backend::Sqlite).await;
    for n in 0..agora::api::limiter::FAILURES_PER_MINUTE {
        let (st, _, _) = api(
            &app,
            Some(&format!("agora_pt_guess{n}")),
            "/api/v1/listings",
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, h, p) = api(&app, Some("agora_pt_one_more"), "/api/v1/listings").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(h.get("retry-after").is_some());
    assert_eq!(p["status"], 429);
}

/// A key claimed long ago and never answered (the process stopped in the
/// middle) is not run again: whether it was done is unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_claim_is_never_run_again() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.person("stale@example.com", "Stan Stale").await;
    let (_, slug) = app.partner("Stale Studio", &owner).await;
    let secret = make_token(&app, &owner, &slug, "Stale", &["listings:write"]).await;
    let body = r#"{"title": "Stale yoga", "summary": "Once."}"#;
    // The claim as a request cut short ten minutes ago left it.
    let hash = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update("POST");
        h.update(b" ");
        h.update("/api/v1/listings");
        h.update(b"\n");
        h.update(body.as_bytes());
        hex::encode(h.finalize())
    };
    app.db(move |c| {
        use agora::schema::{api_idempotency as i, api_tokens as t};
        let token: i64 = t::table.select(t::id).first(c).unwrap();
        diesel::insert_into(i::table)
            .values((
                i::token_id.eq(token),
                i::idem_key.eq("cut-short"),
                i::request_hash.eq(hash),
                i::created_at.eq(agora::models::now() - time::Duration::minutes(10)),
            ))
            .execute(c)
            .unwrap();
    })
    .await;
    let (st, _, p) = send(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/v1/listings",
        Some("cut-short"),
        Some(body),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    assert_eq!(listings_titled(&app, "Stale yoga").await, 0);
}
