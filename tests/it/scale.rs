//! What keeps pages cheap on a large platform: anonymous reading writes
//! nothing, lists are paged in SQL and walk every row exactly once, and the
//! stored aggregates follow the rows they sum.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{
    Backend, PASSWORD, TestApp, bare_client, csrf_in, new_client, spawn_app, spawn_app_with,
    walk_pages,
};

async fn session_rows(app: &TestApp) -> i64 {
    app.db(|c| {
        agora::schema::sessions::table
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
    .await
}

async fn last_seen(app: &TestApp, user_id: i64) -> Vec<time::PrimitiveDateTime> {
    app.db(move |c| {
        agora::models::sessions::for_user(c, user_id)
            .unwrap()
            .into_iter()
            .map(|s| s.last_seen_at)
            .collect()
    })
    .await
}

async fn anonymous_reading_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("quiet@example.com", "Quiet Owner").await;
    let (pid, pslug) = app.partner("Quiet Studio", &owner).await;
    let (_, lslug) = app.listing(pid, "Quiet yoga", "Stretch.", true).await;
    let before = session_rows(&app).await;

    let visitor = bare_client();
    for path in [
        "/".to_string(),
        "/listings".into(),
        "/listings?q=yoga".into(),
        format!("/listings/{lslug}"),
        format!("/partners/{pslug}"),
        "/login".into(),
        "/signup".into(),
        "/password/forgot".into(),
    ] {
        let res = visitor.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        for c in res.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            assert!(!c.starts_with("agora_session="), "{path} set {c}");
        }
    }
    assert_eq!(
        session_rows(&app).await,
        before,
        "anonymous GETs made sessions"
    );

    // Anonymous forms carry a token bound to the visitor's nonce cookie.
    let (browser, _) = new_client();
    let token = csrf_in(&app.get_with(&browser, "/login").await.body);
    let switched = browser
        .post(app.url("/lang"))
        .form(&[("csrf", token.as_str()), ("lang", "zh-CN"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let forged = browser
        .post(app.url("/lang"))
        .form(&[("csrf", "forged"), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Another visitor's token does not fit this visitor's nonce.
    let (other, _) = new_client();
    app.get_with(&other, "/login").await;
    let stolen = other
        .post(app.url("/lang"))
        .form(&[("csrf", token.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    // Without the nonce cookie at all, the token is worthless.
    let bare = bare_client()
        .post(app.url("/lang"))
        .form(&[("csrf", token.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        session_rows(&app).await,
        before,
        "anonymous POSTs made sessions"
    );

    // A failed sign-in shows its message and still makes no session.
    let page = app.get_with(&browser, "/login").await;
    let token = csrf_in(&page.body);
    let res = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "quiet@example.com"),
            ("password", "not the password at all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(session_rows(&app).await, before);

    // Signing in makes the session, and only then.
    let page = app
        .login_with(&browser, "quiet@example.com", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&app).await, before + 1);
    // Signed in, the session's own token is required.
    let home = app.get_with(&browser, "/me").await;
    assert_eq!(home.status, StatusCode::OK);
}
both!(anonymous_reading_writes_nothing);

async fn signed_in_pages_touch_the_session_once_a_minute(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.person("busy@example.com", "Busy").await;
    // The first page shows (and so removes) the sign-in's flash message.
    app.get_with(&user.client, "/me").await;
    let first = last_seen(&app, user.id).await;
    assert_eq!(first.len(), 1);
    for _ in 0..5 {
        let page = app.get_with(&user.client, "/me").await;
        assert_eq!(page.status, StatusCode::OK);
    }
    assert_eq!(last_seen(&app, user.id).await, first, "a write per request");
    // Once the last write is over a minute old, the next request moves it.
    let uid = user.id;
    app.db(move |c| {
        use agora::schema::sessions::dsl::*;
        diesel::update(sessions.filter(user_id.eq(uid)))
            .set(last_seen_at.eq(agora::models::now() - time::Duration::minutes(5)))
            .execute(c)
            .unwrap();
    })
    .await;
    let stale = last_seen(&app, user.id).await;
    app.get_with(&user.client, "/me").await;
    let moved = last_seen(&app, user.id).await;
    assert!(moved[0] > stale[0], "idle expiry not pushed forward");
}
both!(signed_in_pages_touch_the_session_once_a_minute);

async fn catalogue_pages_walk_every_listing_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("many@example.com", "Many").await;
    let (pid, pslug) = app.partner("Many Things", &owner).await;
    // More listings than the numbered pages reach (20 × 12), inserted at
    // once, with ties on every sort key.
    let n = 12 * agora::web::paging::MAX_NUMBERED_PAGE as i64 + 30;
    app.db(move |c| {
        use agora::schema::listings::dsl::*;
        let t = agora::models::now();
        let rows: Vec<_> = (0..n)
            .map(|i| {
                (
                    partner_id.eq(pid),
                    title.eq(format!("Service {i:03}")),
                    slug.eq(format!("service-{i:03}")),
                    summary.eq("A service."),
                    body.eq("Body."),
                    price_text.eq(""),
                    status.eq("published"),
                    created_at.eq(t),
                    updated_at.eq(t),
                    // Groups of ten share a publication time.
                    published_at.eq(Some(t - time::Duration::minutes(i / 10))),
                    views_30d.eq(i % 7),
                    rating_key.eq((i % 3) * 1_000_000),
                )
            })
            .collect();
        agora::db::write_tx(c, |c| {
            for row in rows {
                diesel::insert_into(listings).values(row).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    })
    .await;
    for sort in ["newest", "rating", "popular"] {
        // The walk itself fails on a listing shown twice.
        let seen = walk_pages(&app, &format!("/listings?sort={sort}")).await;
        assert_eq!(seen.len(), n as usize, "{sort}: {} rows seen", seen.len());
    }
    // Newest first, really: the first page holds the newest group.
    let seen = walk_pages(&app, "/listings?sort=newest").await;
    assert!(seen[..10].iter().all(|s| s.as_str() < "service-010"));
    // Past the numbered pages, the position is still told.
    let page = app.get("/listings?sort=newest").await;
    page.assert_contains(&format!("Page 1 of {}", (n as usize).div_ceil(12)));
    // The public partner page pages the same way.
    let seen = walk_pages(&app, &format!("/partners/{pslug}")).await;
    assert_eq!(seen.len(), n as usize);
    // A cursor that was tampered with means the first page, not an error.
    let page = app.get("/listings?sort=newest&after=%%%").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Page 1 of");
    // Page numbers beyond the numbered pages stop at the last numbered one.
    let page = app.get("/listings?sort=newest&page=9999").await;
    page.assert_contains(&format!(
        "Page {} of",
        agora::web::paging::MAX_NUMBERED_PAGE
    ));
}
both!(catalogue_pages_walk_every_listing_once);

async fn stored_ratings_follow_the_reviews(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("rated@example.com", "Rated").await;
    let (pid, pslug) = app.partner("Rated Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Rated lesson", "Learn.", true).await;
    let (other, _) = app.listing(pid, "Other lesson", "Learn.", true).await;
    let stored = |which: i64| {
        app.db(move |c| {
            use agora::schema::listings::dsl::*;
            listings
                .find(which)
                .select((rating_count, rating_sum, rating_key))
                .first::<(i32, i32, i64)>(c)
                .unwrap()
        })
    };
    for (i, stars) in [5, 4].into_iter().enumerate() {
        let c = app
            .person(&format!("r{i}@example.com"), &format!("Reviewer {i}"))
            .await;
        let slug = lslug.clone();
        let token = app.csrf_with(&c.client).await;
        for (path, fields) in [
            (
                format!("/listings/{slug}/engage"),
                vec![("consent", "yes".to_string())],
            ),
            (
                format!("/listings/{slug}/review"),
                vec![
                    ("rating", stars.to_string()),
                    ("body", "Good lesson.".to_string()),
                ],
            ),
        ] {
            let mut form: Vec<(&str, String)> = vec![("csrf", token.clone())];
            form.extend(fields);
            let res = c
                .client
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        }
    }
    assert_eq!(stored(lid).await, (2, 9, 450 * 1_000_000 + 2));
    assert_eq!(stored(other).await, (0, 0, 0));
    app.get(&format!("/partners/{pslug}"))
        .await
        .assert_contains("★ 4.5");
    // Hiding a review takes it out of both averages.
    let admin = app.admin("mod@example.com").await;
    let rid = app
        .db(move |c| {
            use agora::schema::reviews::dsl::*;
            reviews
                .filter(listing_id.eq(lid))
                .filter(rating.eq(4))
                .select(id)
                .first::<i64>(c)
                .unwrap()
        })
        .await;
    let token = app.csrf_with(&admin.client).await;
    let res = admin
        .client
        .post(app.url(&format!("/admin/moderation/{rid}")))
        .form(&[
            ("csrf", token.as_str()),
            ("action", "hide"),
            ("reason", "Off topic"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(lid).await, (1, 5, 500 * 1_000_000 + 1));
    app.get(&format!("/partners/{pslug}"))
        .await
        .assert_contains("★ 5.0");
}
both!(stored_ratings_follow_the_reviews);

/// Two instances on one PostgreSQL database behave as one portal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behave_as_one_portal() {
    // Twelve tickets from one account: more than its default hourly limit.
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.limits.tickets.account = agora::config::Rule::per_hour(100);
    })
    .await;
    let second = app.another_instance().await;

    // A session started on one instance is valid on the other (cookies
    // are per host, not per port, so the browser sends it to both).
    let user = app.person("roam@example.com", "Roaming Person").await;
    let res = user.client.get(second.url("/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Roaming Person"));

    // Ticket numbers stay unique when both instances open tickets at once.
    let posts = (0..12).map(|i| {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.address.clone()
        };
        let client = user.client.clone();
        async move {
            let form_page = client
                .get(format!("{base}/me/tickets/new"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let token = csrf_in(&form_page);
            let res = client
                .post(format!("{base}/me/tickets/new"))
                .form(&[
                    ("csrf", token.as_str()),
                    ("subject", &format!("Question {i}")),
                    ("message", "Both machines at once."),
                    ("priority", "normal"),
                    ("listing", ""),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    });
    futures_util::future::join_all(posts).await;
    let numbers: Vec<i64> = app
        .db(|c| {
            agora::schema::tickets::table
                .select(agora::schema::tickets::number)
                .load(c)
                .unwrap()
        })
        .await;
    let unique: std::collections::BTreeSet<_> = numbers.iter().collect();
    assert_eq!(numbers.len(), 12);
    assert_eq!(unique.len(), 12, "a ticket number was given twice");

    // Each email is sent once, whichever instance's worker claims it.
    app.db(|c| {
        for i in 0..30 {
            agora::models::outbox::enqueue(
                c,
                "agora.test",
                &agora::models::outbox::NewEmail {
                    to: format!("many{i}@example.com"),
                    subject: format!("Note {i}"),
                    text: "Hello.".into(),
                    html: "<p>Hello.</p>".into(),
                    in_reply_to: None,
                    references: None,
                    unsubscribe: None,
                    reply_to: None,
                    sensitive: false,
                },
            )
            .unwrap();
        }
    })
    .await;
    for i in 0..30 {
        app.mail.wait_for(&format!("many{i}@example.com"), 1).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let ids: Vec<String> = app
        .mail
        .all()
        .into_iter()
        .filter(|m| m.to.starts_with("many"))
        .map(|m| m.message_id)
        .collect();
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 30, "an email was sent twice");
    assert_eq!(unique.len(), 30);

    // The clean-up pass runs on one instance at a time: while another
    // holds its lock, a pass is skipped.
    let holder = app.pool.clone();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let holding = std::thread::spawn(move || {
        let mut conn = holder.get().unwrap();
        diesel::sql_query(format!(
            "SELECT pg_advisory_lock({})",
            agora::maintenance::LOCK_KEY
        ))
        .execute(&mut **conn)
        .unwrap();
        held_tx.send(()).unwrap();
        rx.recv().unwrap();
        diesel::sql_query(format!(
            "SELECT pg_advisory_unlock({})",
            agora::maintenance::LOCK_KEY
        ))
        .execute(&mut **conn)
        .unwrap();
    });
    held_rx.recv().unwrap();
    let options = agora::maintenance::PassOptions {
        session_absolute: time::Duration::days(14),
        recount_views: true,
        outbox_retention: time::Duration::days(30),
        webhook_retention: time::Duration::days(30),
    };
    let ran = app
        .db(move |c| agora::maintenance::run_pass(c, options).unwrap())
        .await;
    assert!(!ran, "a pass ran while another instance held the lock");
    tx.send(()).unwrap();
    holding.join().unwrap();
    let ran = app
        .db(move |c| agora::maintenance::run_pass(c, options).unwrap())
        .await;
    assert!(ran);
}

/// The public pages (home, catalogue, search, a listing, a partner's page)
/// are served from a cache; a change made through the portal shows on each
/// of them at once, a change made behind its back within the cache's age.
async fn public_pages_show_changes_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("cache@example.com", "Cache Owner").await;
    let (pid, pslug) = app.partner("Cache Studio", &owner).await;
    let (lid, lslug) = app.listing(pid, "Lantern pottery", "Clay.", true).await;
    let visitor = bare_client();
    let pages = [
        "/".to_string(),
        "/listings".into(),
        "/listings?q=pottery".into(),
        format!("/listings/{lslug}"),
        format!("/partners/{pslug}"),
    ];
    for path in &pages {
        app.get_with(&visitor, path)
            .await
            .assert_contains("Lantern pottery");
    }

    // A new title, through the partner's form: every page shows it.
    let edit = format!("/partner/{pslug}/listings/{lid}");
    let saved = app
        .post_with(
            &owner.client,
            &edit,
            &[
                ("title", "Harbour pottery"),
                ("slug", &lslug),
                ("summary", "Summary of the service."),
                ("body", "Clay."),
                ("price_text", "€10"),
                ("category_id", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    for path in &pages {
        let page = app.get_with(&visitor, path).await;
        page.assert_contains("Harbour pottery");
        assert!(!page.body.contains("Lantern pottery"), "{path} is stale");
    }

    // Archived: gone from every page, the listing's own a 404.
    let archived = app
        .post_with(
            &owner.client,
            &format!("{edit}/status"),
            &[("to", "archived")],
        )
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER, "{}", archived.body);
    for path in &pages {
        let page = app.get_with(&visitor, path).await;
        if path.starts_with("/listings/") {
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        } else {
            assert!(!page.body.contains("Harbour pottery"), "{path} is stale");
        }
    }
}
both!(public_pages_show_changes_at_once);

async fn public_pages_follow_changes_made_elsewhere_within_the_cache_age(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.public_ttl = std::time::Duration::from_millis(800)
    })
    .await;
    let owner = app.person("elsewhere@example.com", "Other Owner").await;
    let (pid, _) = app.partner("Elsewhere Studio", &owner).await;
    let (lid, lslug) = app.listing(pid, "Quiet weaving", "Loom.", true).await;
    let path = format!("/listings/{lslug}");
    app.get(&path).await.assert_contains("Quiet weaving");
    // Another instance (here: a write straight to the database) renames it.
    app.db(move |c| {
        use agora::schema::listings::dsl::*;
        diesel::update(listings.find(lid))
            .set(title.eq("Loud weaving"))
            .execute(c)
            .unwrap()
    })
    .await;
    // Served from the cache for now...
    app.get(&path).await.assert_contains("Quiet weaving");
    // ...and read again once it is older than the cache's age.
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    app.get(&path).await.assert_contains("Loud weaving");
}
both!(public_pages_follow_changes_made_elsewhere_within_the_cache_age);

/// The bundled SQLite is built with the options `.cargo/config.toml` sets:
/// without them every statement with a bound `LIMIT` is prepared again on
/// each run, and every allocation takes a process-wide lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_is_built_for_prepared_statements_and_no_global_locks() {
    let app = spawn_app(Backend::Sqlite).await;
    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        used: i32,
    }
    for (option, expected) in [
        ("ENABLE_QPSG", 1),
        ("THREADSAFE=2", 1),
        ("DEFAULT_MEMSTATUS=0", 1),
        ("ENABLE_MEMORY_MANAGEMENT", 0),
    ] {
        let o = option.to_string();
        let used = app
            .db(move |c| {
                diesel::sql_query("SELECT sqlite_compileoption_used(?) AS used")
                    .bind::<diesel::sql_types::Text, _>(o)
                    .get_result::<Used>(c)
                    .unwrap()
                    .used
            })
            .await;
        assert_eq!(used, expected, "SQLITE_{option}");
    }
}

/// An index a migration adds to a SQLite database that keeps planner
/// statistics gets its own, so that SQLite does not take it for a very
/// selective one and prefer it over the right index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_indexes_get_statistics_where_others_have_them() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.person("stats@example.com", "Stat Owner").await;
    let (pid, _) = app.partner("Stats Studio", &owner).await;
    for n in 0..3 {
        app.listing(pid, &format!("Counted {n}"), "Body.", true)
            .await;
    }
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let stats_for = |c: &mut agora::db::AnyConnection, idx: &str| -> i64 {
        diesel::sql_query("SELECT count(*) AS n FROM sqlite_stat1 WHERE idx = ?")
            .bind::<diesel::sql_types::Text, _>(idx.to_string())
            .get_result::<N>(c)
            .unwrap()
            .n
    };
    let (none_yet, added, stats) = app
        .db(move |c| {
            use diesel::connection::SimpleConnection;
            // No statistics at all: nothing is analysed (that would make
            // some indexes look worse than the others).
            let none_yet = agora::db::analyze_new_indexes(c).unwrap();
            c.batch_execute(
                "ANALYZE listings_newest; CREATE INDEX listings_probe ON listings(price_text);",
            )
            .unwrap();
            let added = agora::db::analyze_new_indexes(c).unwrap();
            (none_yet, added, stats_for(c, "listings_probe"))
        })
        .await;
    assert_eq!(none_yet, 0);
    assert!(added >= 1);
    assert_eq!(stats, 1, "the new index has no statistics");
}
