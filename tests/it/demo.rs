//! The demo data: the large generator at a tiny scale and the small demo's
//! history, checked for the rules the application keeps.

use std::collections::{BTreeSet, HashMap};

use agora::db::{self, AnyConnection, DbUrl};
use agora::demo::large::{self, LargeSpec};
use agora::demo::{self as demo_data, Progress};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use time::PrimitiveDateTime;

use crate::both;
use crate::helpers::{Backend, TestDb, pool_of};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut AnyConnection, sql: &str) -> i64 {
    let row: N = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c),
        AnyConnection::Postgres(c) => diesel::sql_query(sql).get_result(c),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.n
}

/// A migrated, empty database of the backend.
fn fresh(backend: Backend) -> (TestDb, DbUrl, db::Pool) {
    let (test_db, url) = TestDb::create(backend);
    let pool = pool_of(&url);
    db::run_migrations(&mut pool.get().unwrap()).unwrap();
    (test_db, url, pool)
}

/// The stored aggregates equal what the rows say.
fn assert_aggregates(conn: &mut AnyConnection) {
    use agora::schema::{listing_views, listings, partners, reviews};
    let since = (agora::models::now().date() - time::Duration::days(30)).to_string();
    let mut want: HashMap<i64, (i32, i32, i64)> = HashMap::new();
    let rows: Vec<(i64, i32, Option<PrimitiveDateTime>)> = reviews::table
        .select((reviews::listing_id, reviews::rating, reviews::hidden_at))
        .load(conn)
        .unwrap();
    for (l, r, hidden) in rows {
        if hidden.is_none() {
            let e = want.entry(l).or_default();
            e.0 += 1;
            e.1 += r;
        }
    }
    let views: Vec<(i64, String, i32)> = listing_views::table
        .select((
            listing_views::listing_id,
            listing_views::day,
            listing_views::views,
        ))
        .load(conn)
        .unwrap();
    for (l, day, v) in views {
        if day >= since {
            want.entry(l).or_default().2 += v as i64;
        }
    }
    let stored: Vec<(i64, i64, i32, i32, i64, i64)> = listings::table
        .select((
            listings::id,
            listings::partner_id,
            listings::rating_count,
            listings::rating_sum,
            listings::rating_key,
            listings::views_30d,
        ))
        .load(conn)
        .unwrap();
    let mut per_partner: HashMap<i64, (i32, i32)> = HashMap::new();
    let mut rated = 0;
    for (id, partner, count, sum, key, views) in stored {
        let (c, s, v) = want.get(&id).copied().unwrap_or_default();
        assert_eq!((count, sum, views), (c, s, v), "aggregates of listing {id}");
        let expected_key = if c == 0 {
            0
        } else {
            (((s as i64) * 100 + c as i64 / 2) / c as i64) * 1_000_000 + (c as i64).min(999_999)
        };
        assert_eq!(key, expected_key, "rating key of listing {id}");
        let p = per_partner.entry(partner).or_default();
        p.0 += c;
        p.1 += s;
        rated += usize::from(c > 0);
    }
    assert!(rated > 0, "some listings are rated");
    let stored: Vec<(i64, i32, i32)> = partners::table
        .select((partners::id, partners::rating_count, partners::rating_sum))
        .load(conn)
        .unwrap();
    for (id, count, sum) in stored {
        let want = per_partner.get(&id).copied().unwrap_or_default();
        assert_eq!((count, sum), want, "aggregates of partner {id}");
    }
}

/// Rules every demo keeps, whatever its size.
fn assert_coherent(conn: &mut AnyConnection, anchor: PrimitiveDateTime) {
    // Reviews only by consumers who asked for the listing, after asking.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM engagements e \
             WHERE e.listing_id = r.listing_id AND e.consumer_id = r.consumer_id \
             AND e.created_at < r.created_at)"
        ),
        0
    );
    // Consent is one row per consumer and partner asked, and its columns
    // agree with each other.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM consents c WHERE (NOT c.given AND c.withdrawn_at IS NULL) \
             OR (c.given AND c.withdrawn_at IS NOT NULL) OR c.withdrawn_at < c.given_at \
             OR NOT EXISTS (SELECT 1 FROM engagements e WHERE e.partner_id = c.partner_id \
             AND e.consumer_id = c.consumer_id)"
        ),
        0
    );
    for kind in ["never", "withdrawn", "given"] {
        let sql = match kind {
            "never" => {
                "SELECT COUNT(*) AS n FROM engagements e WHERE NOT EXISTS (SELECT 1 FROM \
                 consents c WHERE c.partner_id = e.partner_id AND c.consumer_id = e.consumer_id)"
            }
            "withdrawn" => "SELECT COUNT(*) AS n FROM consents WHERE NOT given",
            _ => "SELECT COUNT(*) AS n FROM consents WHERE given",
        };
        assert!(count(conn, sql) > 0, "some requests with consent {kind}");
    }
    // Ticket numbers unique, from 1001 on, without gaps.
    let tickets = count(conn, "SELECT COUNT(*) AS n FROM tickets");
    assert_eq!(
        count(conn, "SELECT COUNT(DISTINCT number) AS n FROM tickets"),
        tickets
    );
    assert_eq!(count(conn, "SELECT MIN(number) AS n FROM tickets"), 1001);
    assert_eq!(
        count(conn, "SELECT MAX(number) AS n FROM tickets"),
        1000 + tickets
    );
    // Ticket times follow the lifecycle.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM tickets WHERE first_response_at < created_at \
             OR resolved_at < created_at OR closed_at < resolved_at \
             OR (status = 'closed' AND (resolved_at IS NULL OR closed_at IS NULL)) \
             OR (status = 'resolved' AND (resolved_at IS NULL OR closed_at IS NOT NULL)) \
             OR (status IN ('new', 'open', 'pending') AND resolved_at IS NOT NULL) \
             OR (status = 'new' AND first_response_at IS NOT NULL) \
             OR (status = 'pending') <> (paused_since IS NOT NULL) \
             OR satisfaction_at < resolved_at OR first_response_due < created_at"
        ),
        0
    );
    assert!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM tickets WHERE first_response_at > created_at"
        ) > 0
    );
    // Each ticket starts with the requester's message.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_messages m \
             WHERE m.ticket_id = t.id AND m.author_kind = 'requester' AND m.created_at = t.created_at)"
        ),
        0
    );
    // The feed has an entry for every request, review and ticket.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM activities WHERE kind = 'engaged'"
        ),
        count(conn, "SELECT COUNT(*) AS n FROM engagements")
    );
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM activities WHERE kind = 'ticket_opened'"
        ),
        tickets
    );
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) AS n FROM activities WHERE kind IN ('ticket_replied', 'ticket_answered')"
        ),
        count(
            conn,
            "SELECT COUNT(*) AS n FROM ticket_messages WHERE NOT internal"
        ) - tickets
    );
    // Every listing is in the search index.
    assert_eq!(
        count(conn, "SELECT COUNT(*) AS n FROM listing_search"),
        count(conn, "SELECT COUNT(*) AS n FROM listings")
    );
    // Nothing happens after now.
    use agora::schema::{activities, engagements, ticket_messages, tickets};
    let latest = [
        activities::table
            .select(diesel::dsl::max(activities::created_at))
            .first::<Option<PrimitiveDateTime>>(conn)
            .unwrap(),
        engagements::table
            .select(diesel::dsl::max(engagements::created_at))
            .first(conn)
            .unwrap(),
        tickets::table
            .select(diesel::dsl::max(tickets::updated_at))
            .first(conn)
            .unwrap(),
        ticket_messages::table
            .select(diesel::dsl::max(ticket_messages::created_at))
            .first(conn)
            .unwrap(),
    ];
    for t in latest {
        assert!(t.is_some_and(|t| t <= anchor), "{t:?} after {anchor}");
    }
    assert_aggregates(conn);
}

async fn large_demo_at_a_tiny_scale(backend: Backend) {
    tokio::task::spawn_blocking(move || {
        let (_db, _url, pool) = fresh(backend);
        let conn: &mut AnyConnection = &mut pool.get().unwrap();
        let spec = LargeSpec::tiny();
        let anchor = agora::models::now();
        let summary = large::fill(conn, &spec, 7, anchor, &Progress::hidden()).unwrap();
        let rows: HashMap<&str, u64> = summary.counts.iter().copied().collect();
        for (table, want) in [
            ("partners", spec.partners as i64),
            ("listings", spec.listings as i64),
            ("engagements", spec.engagements as i64),
            ("reviews", spec.reviews as i64),
            ("tickets", spec.tickets as i64),
            ("activities", spec.activities as i64),
        ] {
            assert_eq!(
                count(conn, &format!("SELECT COUNT(*) AS n FROM {table}")),
                want,
                "{table}"
            );
            assert_eq!(rows[table] as i64, want, "{table} in the summary");
        }
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) AS n FROM users u WHERE NOT u.is_staff AND NOT EXISTS \
                 (SELECT 1 FROM memberships m WHERE m.user_id = u.id)"
            ),
            spec.consumers as i64
        );
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) AS n FROM users WHERE email_verified_at IS NULL"
            ),
            0
        );
        assert_eq!(
            count(conn, "SELECT COUNT(DISTINCT password_hash) AS n FROM users"),
            1
        );
        let views = count(conn, "SELECT COUNT(*) AS n FROM listing_views");
        assert!(
            views as f64 > spec.view_rows as f64 * 0.5
                && views as f64 <= spec.view_rows as f64 * 1.2,
            "{views} view rows"
        );
        // Every partner's customer segments are worked out by the demo, so
        // each consenting customer has a score row.
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) AS n FROM (SELECT partner_id, consumer_id \
                 FROM consents WHERE given) c WHERE NOT EXISTS (SELECT 1 FROM \
                 customer_scores s WHERE s.partner_id = c.partner_id \
                 AND s.consumer_id = c.consumer_id)"
            ),
            0
        );
        assert!(count(conn, "SELECT COUNT(*) AS n FROM customer_scores") > 0);
        // The largest partner: the most listings and the most customers.
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) AS n FROM listings WHERE partner_id = 1"
            ),
            spec.largest_partner_listings as i64
        );
        assert_eq!(
            count(
                conn,
                "SELECT partner_id AS n FROM engagements GROUP BY partner_id \
                 ORDER BY COUNT(DISTINCT consumer_id) DESC LIMIT 1"
            ),
            1
        );
        for status in ["approved", "published", "draft"] {
            assert!(
                count(
                    conn,
                    &format!(
                        "SELECT COUNT(*) AS n FROM (SELECT status FROM partners UNION ALL \
                         SELECT status FROM listings) s WHERE status = '{status}'"
                    )
                ) > 0,
                "{status}"
            );
        }
        // "yoga" is a common word; Chinese listings are found by their characters.
        let yoga = agora::models::search::search(conn, "yoga", None)
            .unwrap()
            .len();
        assert!(yoga >= 5, "{yoga} listings found for yoga");
        assert!(
            !agora::models::search::search(conn, "瑜伽", None)
                .unwrap()
                .is_empty()
        );
        assert_coherent(conn, anchor);
        // The demo's sign-ins work, and new rows get fresh ids.
        let admin = agora::models::users::by_email(conn, "admin@agora.example")
            .unwrap()
            .unwrap();
        assert!(admin.is_admin);
        assert!(agora::auth::password::verify_blocking(
            demo_data::PASSWORD,
            &admin.password_hash
        ));
        let t = agora::models::now();
        agora::models::users::insert(
            conn,
            &agora::models::users::NewUser {
                email: "new.person@example.com",
                display_name: "New Person",
                password_hash: "x",
                locale: None,
                email_verified_at: None,
                is_staff: false,
                is_admin: false,
                created_at: t,
                updated_at: t,
            },
        )
        .unwrap();
        // A second run refuses.
        let err = large::fill(conn, &spec, 7, anchor, &Progress::hidden())
            .err()
            .expect("refused on a database with data");
        assert!(err.to_string().contains("not empty"), "{err}");
    })
    .await
    .unwrap();
}
both!(large_demo_at_a_tiny_scale);

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let spec = LargeSpec {
        consumers: 150,
        engagements: 300,
        reviews: 100,
        tickets: 80,
        activities: 1_600,
        view_rows: 1_000,
        ..LargeSpec::tiny()
    };
    let anchor = agora::models::now();
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, seed: u64| {
        let url = DbUrl::Sqlite(dir.path().join(name).to_string_lossy().into_owned());
        let pool = pool_of(&url);
        let mut conn = pool.get().unwrap();
        db::run_migrations(&mut conn).unwrap();
        large::fill(&mut conn, &spec, seed, anchor, &Progress::hidden()).unwrap();
    };
    make("a.db", 42);
    make("b.db", 42);
    make("c.db", 43);
    let url = DbUrl::Sqlite(dir.path().join("a.db").to_string_lossy().into_owned());
    let pool = pool_of(&url);
    let conn: &mut AnyConnection = &mut pool.get().unwrap();
    let tables: Vec<Name> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'listing_search_%' AND name NOT LIKE '__diesel%'",
        )
        .load(c)
        .unwrap(),
        AnyConnection::Postgres(_) => unreachable!(),
    };
    assert!(tables.len() > 15);
    let differing = |conn: &mut AnyConnection, other: &str| -> Vec<String> {
        conn.batch_execute(&format!(
            "ATTACH DATABASE '{}' AS other",
            dir.path().join(other).display()
        ))
        .unwrap();
        let mut out = Vec::new();
        for t in &tables {
            // When segments were worked out is the moment the command ran.
            let columns = match t.name.as_str() {
                "listing_search" => "rowid, *",
                "customer_scores" => {
                    "partner_id, consumer_id, last_activity_at, first_activity_at, frequency, \
                     satisfaction, r_score, f_score, s_score, segment"
                }
                "customer_score_runs" => "partner_id, seen_count, customers",
                _ => "*",
            };
            let n = count(
                conn,
                &format!(
                    "SELECT COUNT(*) AS n FROM (SELECT {columns} FROM main.{0} EXCEPT \
                     SELECT {columns} FROM other.{0})",
                    t.name
                ),
            ) + count(
                conn,
                &format!(
                    "SELECT COUNT(*) AS n FROM (SELECT {columns} FROM other.{0} EXCEPT \
                     SELECT {columns} FROM main.{0})",
                    t.name
                ),
            );
            if n > 0 {
                out.push(t.name.clone());
            }
        }
        conn.batch_execute("DETACH DATABASE other").unwrap();
        out
    };
    assert_eq!(differing(conn, "b.db"), Vec::<String>::new());
    let other_seed = differing(conn, "c.db");
    for t in ["users", "listings", "engagements", "tickets"] {
        assert!(
            other_seed.iter().any(|d| d == t),
            "{t} differs with another seed"
        );
    }
}

async fn small_demo_has_a_history(backend: Backend) {
    tokio::task::spawn_blocking(move || {
        let (_db, _url, pool) = fresh(backend);
        let conn: &mut AnyConnection = &mut pool.get().unwrap();
        let anchor = agora::models::now();
        let logins = demo_data::fill(conn, 1).unwrap().expect("demo data added");
        assert!(logins.iter().any(|l| l.0 == "admin@agora.example"));
        use agora::schema::activities;
        let times: Vec<PrimitiveDateTime> = activities::table
            .select(activities::created_at)
            .load(conn)
            .unwrap();
        let days: BTreeSet<time::Date> = times.iter().map(|t| t.date()).collect();
        assert!(days.len() > 60, "activities on {} days", days.len());
        assert!(
            count(conn, "SELECT COUNT(*) AS n FROM listing_views") >= 6 * 100,
            "views every day"
        );
        // First responses take minutes or hours, not zero.
        assert!(
            count(
                conn,
                "SELECT COUNT(*) AS n FROM tickets WHERE first_response_at IS NOT NULL"
            ) > 5
        );
        assert_coherent(conn, agora::models::now().max(anchor));
        assert!(demo_data::fill(conn, 1).unwrap().is_none());
    })
    .await
    .unwrap();
}
both!(small_demo_has_a_history);
