//! The plan of every query behind the main pages: none may read a whole
//! large table. Each page is fetched with the pool recording its
//! statements; each SELECT is then explained (`EXPLAIN QUERY PLAN` on
//! SQLite, a generic `EXPLAIN` on PostgreSQL with sequential scans
//! discouraged, so only a missing index leaves one).

use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, spawn_app, spawn_app_with};

/// Tables that grow with the platform.
const LARGE: &[&str] = &[
    "listings",
    "users",
    "engagements",
    "activities",
    "tickets",
    "ticket_messages",
    "reviews",
    "sessions",
    "listing_views",
    "audit_events",
    "outgoing_email",
    "crm_notes",
    "crm_tags",
    "customer_scores",
    "webhook_deliveries",
    "webhook_attempts",
    "inbound_mail",
    "attachments",
    "email_preferences",
    "passkeys",
    "consents",
];

/// Whether a table named in a plan is a large one; SQLite names a table
/// by its alias, and the code's sub-selects alias one as `{table}_2`.
fn is_large(name: &str) -> bool {
    LARGE.contains(&name.strip_suffix("_2").unwrap_or(name))
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// What is wrong with a statement's plan, if anything.
fn check(conn: &mut agora::db::AnyConnection, sql: &str) -> Option<String> {
    use agora::db::AnyConnection;
    let limited = sql.to_uppercase().contains(" LIMIT ");
    // An empty `IN ()` becomes a constant false: nothing is read.
    if sql.contains("WHERE (1=0)") {
        return None;
    }
    match conn {
        AnyConnection::Sqlite(c) => {
            let rows: Vec<SqlitePlanRow> =
                match diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(c) {
                    Ok(r) => r,
                    Err(e) => return Some(format!("cannot explain: {e}")),
                };
            for r in &rows {
                let Some(rest) = r.detail.strip_prefix("SCAN ") else {
                    continue;
                };
                let table = rest.split_whitespace().next().unwrap_or("");
                if !is_large(table) {
                    continue;
                }
                // Walking a table or an index in the query's order is fine
                // when a LIMIT stops it (no sort of everything first).
                let sorts = rows.iter().any(|r| r.detail.contains("TEMP B-TREE"));
                if limited && !sorts {
                    continue;
                }
                return Some(r.detail.clone());
            }
            None
        }
        AnyConnection::Postgres(c) => {
            let params = (1..=64)
                .rev()
                .find(|n| sql.contains(&format!("${n}")))
                .unwrap_or(0);
            let args = vec!["NULL"; params].join(", ");
            if let Err(e) = diesel::sql_query(format!("PREPARE agora_plan AS {sql}")).execute(c) {
                return Some(format!("cannot prepare: {e}"));
            }
            let explain = if params == 0 {
                "EXPLAIN EXECUTE agora_plan".to_string()
            } else {
                format!("EXPLAIN EXECUTE agora_plan({args})")
            };
            let rows: Vec<PgPlanRow> = match diesel::sql_query(explain).load(c) {
                Ok(r) => r,
                Err(e) => return Some(format!("cannot explain: {e}")),
            };
            let _ = diesel::sql_query("DEALLOCATE agora_plan").execute(c);
            for r in &rows {
                if let Some(i) = r.line.find("Seq Scan on ") {
                    let table = r.line[i + 12..].split_whitespace().next().unwrap_or("");
                    if is_large(table) {
                        return Some(r.line.trim().to_string());
                    }
                }
            }
            None
        }
    }
}

async fn explain_page(
    app: &TestApp,
    explainer: &agora::db::Pool,
    log: &agora::db::QueryLog,
    who: Option<&Person>,
    path: &str,
) -> Vec<String> {
    log.take();
    let client = who
        .map(|p| p.client.clone())
        .unwrap_or_else(crate::helpers::bare_client);
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    explain_statements(explainer, path, log.take()).await
}

/// What is wrong with the plans of these statements' SELECTs.
async fn explain_statements(
    explainer: &agora::db::Pool,
    path: &str,
    statements: Vec<String>,
) -> Vec<String> {
    let selects: Vec<String> = statements
        .into_iter()
        .filter(|s| {
            let head = s.trim_start().to_uppercase();
            head.starts_with("SELECT") || head.starts_with("WITH")
        })
        .collect();
    let pool = explainer.clone();
    let path = path.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        if let agora::db::AnyConnection::Postgres(c) = &mut **conn {
            diesel::sql_query("SET plan_cache_mode = force_generic_plan")
                .execute(c)
                .unwrap();
            diesel::sql_query("SET enable_seqscan = off")
                .execute(c)
                .unwrap();
        }
        let mut problems = Vec::new();
        for sql in selects {
            if let Some(p) = check(&mut conn, &sql) {
                problems.push(format!("{path}: {p}\n    {sql}"));
            }
        }
        if let agora::db::AnyConnection::Postgres(c) = &mut **conn {
            let _ = diesel::sql_query("RESET ALL").execute(c);
        }
        problems
    })
    .await
    .unwrap()
}

async fn no_page_reads_a_whole_large_table(backend: Backend) {
    let log = agora::db::QueryLog::default();
    let recorded = log.clone();
    let app = spawn_app_with(backend, move |s| {
        s.query_log = Some(recorded);
        // Every page reads the database here, none from the public cache.
        s.public_ttl = std::time::Duration::ZERO;
    })
    .await;
    let owner = app.person("plan-owner@example.com", "Plan Owner").await;
    let (pid, pslug) = app.partner("Plan Partner", &owner).await;
    let (lid, lslug) = app.listing(pid, "Plan yoga", "Stretch well.", true).await;
    let consumer = app
        .person("plan-consumer@example.com", "Plan Consumer")
        .await;
    let token = app.csrf_with(&consumer.client).await;
    for (path, fields) in [
        (
            format!("/listings/{lslug}/engage"),
            vec![("consent", "yes")],
        ),
        (
            format!("/listings/{lslug}/review"),
            vec![("rating", "5"), ("body", "Lovely.")],
        ),
        (
            "/me/tickets/new".to_string(),
            vec![
                ("subject", "A question"),
                ("message", "Hello there."),
                ("priority", "normal"),
                ("listing", lslug.as_str()),
            ],
        ),
    ] {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields);
        let res = consumer
            .client
            .post(app.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    }
    let staff = app.person("plan-staff@example.com", "Plan Staff").await;
    let sid = staff.id;
    app.db(move |c| agora::models::users::set_staff(c, sid, true).unwrap())
        .await;
    let admin = app.admin("plan-admin@example.com").await;
    let number: i64 = app
        .db(|c| {
            agora::schema::tickets::table
                .select(agora::schema::tickets::number)
                .first(c)
                .unwrap()
        })
        .await;
    let cursor = agora::web::paging::Cursor {
        page: 30,
        key: 0,
        id: 1,
    }
    .encode();
    let base = format!("/partner/{pslug}");
    // An API caller: a token made on the developers page.
    let made = app
        .post_with(
            &owner.client,
            &format!("{base}/developers"),
            &[
                ("name", "Plans"),
                ("scope", "listings:read"),
                ("scope", "requests:read"),
                ("scope", "customers:read"),
                ("scope", "reviews:read"),
                ("scope", "tickets:read"),
                ("expiry", "90"),
            ],
        )
        .await;
    let secret = crate::helpers::secret_in(&made);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {secret}").parse().unwrap(),
    );
    let api_caller = Person {
        id: 0,
        email: String::new(),
        client: reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
    };
    let api_cursor = agora::api::encode_cursor(lid + 1);
    // A webhook endpoint (off, so nothing is posted) with a delivery.
    let owner_id = owner.id;
    let (eid, did) = app
        .db(move |c| {
            use agora::models::webhooks;
            let kind = agora::webhooks::EventType::ListingStatusChanged;
            let (eid, _) =
                webhooks::create(c, pid, "http://127.0.0.1:9/hook", "", &[kind], owner_id).unwrap();
            let ev = webhooks::QueuedEvent {
                event_id: "msg_plan".into(),
                kind,
                payload: "{}".into(),
                redacted: None,
                customer_id: None,
            };
            webhooks::enqueue(c, &[eid], pid, &ev).unwrap();
            webhooks::set_enabled(c, pid, eid, false, None).unwrap();
            let page =
                webhooks::deliveries_page(c, eid, &agora::web::paging::PageRequest::first(10))
                    .unwrap();
            (eid, page.items[0].id)
        })
        .await;
    let pages: Vec<(Option<&Person>, String)> = vec![
        (None, "/".into()),
        (None, "/listings".into()),
        (None, "/listings?q=yoga".into()),
        (None, "/listings?sort=newest".into()),
        (None, format!("/listings?sort=newest&after={cursor}")),
        (None, format!("/listings?sort=rating&after={cursor}")),
        (None, format!("/listings?sort=popular&after={cursor}")),
        (None, format!("/listings/{lslug}")),
        (None, format!("/listings/{lslug}?after={cursor}")),
        (None, format!("/partners/{pslug}")),
        (None, format!("/partners/{pslug}?after={cursor}")),
        (Some(&owner), base.clone()),
        (Some(&owner), format!("{base}?period=365")),
        (
            Some(&owner),
            format!("{base}/customers?was=loyal&segment=at-risk"),
        ),
        (Some(&owner), format!("{base}/listings")),
        (Some(&owner), format!("{base}/listings?after={cursor}")),
        (Some(&owner), format!("{base}/engagements")),
        (Some(&owner), format!("{base}/engagements?after={cursor}")),
        (Some(&owner), format!("{base}/reviews")),
        (Some(&owner), format!("{base}/reviews?after={cursor}")),
        (Some(&owner), format!("{base}/customers")),
        (Some(&owner), format!("{base}/tickets")),
        (Some(&staff), "/desk".into()),
        (Some(&staff), "/desk?queue=breaching".into()),
        (Some(&staff), "/desk?queue=unassigned".into()),
        (Some(&staff), format!("/desk/tickets/{number}")),
        (Some(&staff), "/desk/reports".into()),
        (
            Some(&staff),
            format!("/desk/reports?partner={pid}&assignee={sid}"),
        ),
        (Some(&staff), format!("/desk/reports.csv?partner={pid}")),
        (Some(&staff), "/desk/reports.csv".into()),
        (Some(&admin), "/admin".into()),
        (Some(&admin), "/admin?period=365".into()),
        (Some(&admin), "/admin/users".into()),
        (Some(&admin), "/admin/audit".into()),
        (Some(&admin), "/admin/moderation".into()),
        (Some(&admin), "/admin/listings".into()),
        (Some(&admin), "/admin/outbox?status=received".into()),
        (
            Some(&admin),
            format!("/admin/outbox?status=received&after={cursor}"),
        ),
        (Some(&consumer), "/me".into()),
        (Some(&consumer), "/me/history.csv".into()),
        (Some(&consumer), "/me/tickets".into()),
        (Some(&consumer), "/me/security".into()),
        (Some(&owner), "/me/notifications".into()),
        (Some(&staff), "/me/notifications".into()),
        (Some(&owner), format!("{base}/developers")),
        (Some(&owner), format!("{base}/webhooks")),
        (Some(&owner), format!("{base}/webhooks/{eid}")),
        (
            Some(&owner),
            format!("{base}/webhooks/{eid}?after={cursor}"),
        ),
        (
            Some(&owner),
            format!("{base}/webhooks/{eid}/deliveries/{did}"),
        ),
        (Some(&api_caller), "/api/v1/listings".into()),
        (
            Some(&api_caller),
            "/api/v1/listings?status=published".into(),
        ),
        (
            Some(&api_caller),
            format!("/api/v1/listings?cursor={api_cursor}"),
        ),
        (
            Some(&api_caller),
            format!("/api/v1/listings?status=draft&cursor={api_cursor}"),
        ),
        (Some(&api_caller), format!("/api/v1/listings/{lid}")),
        (Some(&api_caller), "/api/v1/requests".into()),
        (
            Some(&api_caller),
            format!("/api/v1/requests?cursor={api_cursor}"),
        ),
        (Some(&api_caller), "/api/v1/customers".into()),
        (
            Some(&api_caller),
            format!("/api/v1/customers?cursor={api_cursor}"),
        ),
        (
            Some(&api_caller),
            format!("/api/v1/customers/{}", consumer.id),
        ),
        (Some(&api_caller), "/api/v1/reviews".into()),
        (
            Some(&api_caller),
            format!("/api/v1/reviews?cursor={cursor}"),
        ),
        (Some(&api_caller), "/api/v1/tickets".into()),
        (
            Some(&api_caller),
            format!("/api/v1/tickets?cursor={cursor}"),
        ),
        (Some(&api_caller), format!("/api/v1/tickets/{number}")),
    ];
    // Plans are read on a connection of their own, never one the app's
    // statement cache relies on.
    let explainer = agora::db::connect(&app.settings.database_url, 1).unwrap();
    let mut problems = Vec::new();
    for (who, path) in &pages {
        problems.extend(explain_page(&app, &explainer, &log, *who, path).await);
    }
    assert!(
        problems.is_empty(),
        "{} queries read a whole large table:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
both!(no_page_reads_a_whole_large_table);

async fn metrics_scrape_reads_no_whole_large_table(backend: Backend) {
    const TOKEN: &str = "plan-scrape-token-0123456789";
    let log = agora::db::QueryLog::default();
    let recorded = log.clone();
    let app = spawn_app_with(backend, move |s| {
        s.query_log = Some(recorded);
        s.metrics_token = Some(TOKEN.into());
    })
    .await;
    let explainer = agora::db::connect(&app.settings.database_url, 1).unwrap();
    log.take();
    let res = crate::helpers::bare_client()
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let statements = log.take();
    assert!(
        statements.iter().any(|s| s.contains("outgoing_email")),
        "{statements:?}"
    );
    let problems = explain_statements(&explainer, "/metrics", statements).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
both!(metrics_scrape_reads_no_whole_large_table);

/// The notification pass (digests, SLA warnings) and the member lookups
/// behind each optional email read indexes only.
async fn notification_pass_reads_no_whole_large_table(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("plan-digest@example.com", "Olga").await;
    let (pid, _) = app.partner("Plan Digest", &owner).await;
    let id = owner.id;
    app.db(move |c| {
        use agora::models::preferences::{self, Kind};
        preferences::set(c, id, Kind::PartnerDigest, true).unwrap();
    })
    .await;
    let log = agora::db::QueryLog::default();
    let pool =
        agora::db::connect_logged(&app.settings.database_url, 1, Some(log.clone()), None).unwrap();
    let links = agora::support::Links::of(&app.settings);
    let at = agora::models::now() + time::Duration::days(1);
    tokio::task::spawn_blocking(move || {
        let mut c = pool.get().unwrap();
        agora::mail::notify::run_pass(&mut c, &links, &agora::domain::zone::Zone::utc(), at)
            .unwrap();
        agora::models::preferences::members_wanting(
            &mut c,
            pid,
            agora::models::preferences::Kind::PartnerRequests,
        )
        .unwrap();
    })
    .await
    .unwrap();
    let statements = log.take();
    assert!(
        statements.iter().any(|s| s.contains("email_preferences")),
        "{statements:?}"
    );
    let explainer = agora::db::connect(&app.settings.database_url, 1).unwrap();
    let problems = explain_statements(&explainer, "notification pass", statements).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
both!(notification_pass_reads_no_whole_large_table);

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    plan_cache_mode: String,
}

#[derive(QueryableByName)]
struct Memoize {
    #[diesel(sql_type = Text)]
    enable_memoize: String,
}

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    statement: String,
}

/// On PostgreSQL a connection keeps the plan setting the last read asked
/// for, and changes it only when a read asks for another; statements marked
/// `planned_per_run` are sent with their values and never kept prepared,
/// while the others are. Reads on the HTTP worker (`db::read_planned`) take
/// the same settings, and every connection opens with memoize off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_settings_follow_the_reads_postgres() {
    use agora::db::{self, Plans};
    let (_db, url) = crate::helpers::TestDb::create(Backend::Postgres);
    // One connection: every read below gets the same one.
    let pool = db::connect(&url, 1).unwrap();
    db::run_migrations(&mut pool.get().unwrap()).unwrap();
    let mode = |plans: Plans| {
        let pool = pool.clone();
        async move {
            db::run_planned(&pool, plans, |conn| {
                let row: Setting = diesel::sql_query("SHOW plan_cache_mode").get_result(conn)?;
                Ok(row.plan_cache_mode)
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(mode(Plans::Generic).await, "force_generic_plan");
    assert_eq!(mode(Plans::Generic).await, "force_generic_plan");
    assert_eq!(mode(Plans::Auto).await, "auto");
    assert_eq!(mode(Plans::Custom).await, "force_custom_plan");
    assert_eq!(mode(Plans::Auto).await, "auto");
    // A short read on the HTTP worker follows the same rule.
    let read_mode = |plans: Plans| {
        let pool = pool.clone();
        async move {
            db::read_planned(&pool, plans, |conn| {
                let row: Setting = diesel::sql_query("SHOW plan_cache_mode").get_result(conn)?;
                Ok(row.plan_cache_mode)
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(read_mode(Plans::Generic).await, "force_generic_plan");
    assert_eq!(mode(Plans::Generic).await, "force_generic_plan");
    assert_eq!(read_mode(Plans::Auto).await, "auto");
    // Every connection opens with the page-sized setting for memoize.
    let memoize = db::read(&pool, |conn| {
        let row: Memoize = diesel::sql_query("SHOW enable_memoize").get_result(conn)?;
        Ok(row.enable_memoize)
    })
    .await
    .unwrap();
    assert_eq!(memoize, "off");

    let kept = db::run(&pool, |conn| {
        use agora::models::tickets::{self, DeskFilter, Queue};
        let filter = DeskFilter::new(Queue::Open, 1, agora::models::now());
        tickets::desk_count(conn, &filter)?;
        tickets::queue_counts(conn, 1, agora::models::now())?;
        agora::models::partners::by_slug_with_role(conn, "no-such-partner", 1)?;
        let rows: Vec<Prepared> =
            diesel::sql_query("SELECT statement FROM pg_prepared_statements").load(conn)?;
        Ok(rows.into_iter().map(|r| r.statement).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert!(
        kept.iter().any(|s| s.contains("\"partners\".\"slug\"")),
        "the partner read is kept prepared: {kept:?}"
    );
    assert!(
        !kept.iter().any(|s| s.contains("\"tickets\"")),
        "the desk's counts are planned per run: {kept:?}"
    );
}
