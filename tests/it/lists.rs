//! Paged lists: every row exactly once across numbered and cursor pages,
//! in the list's order, with filters, search and capped counts.

use agora::models::tickets::Ticket;
use agora::web::paging::{COUNT_CAP, MAX_NUMBERED_PAGE};
use diesel::prelude::*;
use reqwest::StatusCode;
use time::{Duration, PrimitiveDateTime};

use crate::both;
use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app, walk_pages};

/// Runs a multi-row insert on the backend's own connection (the
/// MultiConnection does not batch).
macro_rules! batch {
    ($conn:expr, $insert:expr) => {
        match $conn {
            agora::db::AnyConnection::Sqlite(c) => $insert.execute(c).unwrap(),
            agora::db::AnyConnection::Postgres(c) => $insert.execute(c).unwrap(),
        }
    };
}

/// A ticket written straight into the table.
#[derive(Clone)]
struct Spec {
    requester: i64,
    partner: Option<i64>,
    subject: String,
    status: &'static str,
    priority: &'static str,
    assignee: Option<i64>,
    first_due: Option<PrimitiveDateTime>,
    resolution_due: Option<PrimitiveDateTime>,
    first_at: Option<PrimitiveDateTime>,
    resolved_at: Option<PrimitiveDateTime>,
    paused_since: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
}

impl Spec {
    fn new(requester: i64, subject: String, now: PrimitiveDateTime) -> Spec {
        Spec {
            requester,
            partner: None,
            subject,
            status: "new",
            priority: "normal",
            assignee: None,
            first_due: Some(now + Duration::hours(8)),
            resolution_due: Some(now + Duration::hours(72)),
            first_at: None,
            resolved_at: None,
            paused_since: None,
            created_at: now - Duration::days(1),
        }
    }
}

/// Inserts the tickets in batches, numbered after the last one.
async fn insert_tickets(app: &TestApp, specs: Vec<Spec>) {
    app.db(move |c| {
        use agora::schema::tickets::dsl::*;
        let last: Option<i64> = tickets.select(diesel::dsl::max(number)).first(c).unwrap();
        let mut next = last.map_or(agora::models::tickets::FIRST_NUMBER, |n| n + 1);
        for chunk in specs.chunks(500) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|t| {
                    next += 1;
                    (
                        number.eq(next - 1),
                        requester_id.eq(t.requester),
                        partner_id.eq(t.partner),
                        subject.eq(t.subject.clone()),
                        status.eq(t.status),
                        priority.eq(t.priority),
                        assignee_id.eq(t.assignee),
                        first_response_due.eq(t.first_due),
                        resolution_due.eq(t.resolution_due),
                        first_response_at.eq(t.first_at),
                        resolved_at.eq(t.resolved_at),
                        paused_since.eq(t.paused_since),
                        paused_minutes.eq(0),
                        last_activity_at.eq(t.created_at),
                        created_at.eq(t.created_at),
                        updated_at.eq(t.created_at),
                    )
                })
                .collect();
            batch!(c, diesel::insert_into(tickets).values(rows));
        }
    })
    .await;
}

async fn all_tickets(app: &TestApp) -> Vec<Ticket> {
    app.db(|c| {
        use agora::schema::tickets::dsl::*;
        tickets
            .order(id.asc())
            .select(Ticket::as_select())
            .load(c)
            .unwrap()
    })
    .await
}

/// The desk's SLA order: soonest running target first (ties by number),
/// then paused clocks, newest first.
fn sla_sorted(mut list: Vec<&Ticket>) -> Vec<String> {
    list.sort_by_key(|t| match t.next_due() {
        Some(d) => (0, d, t.number),
        None => (1, PrimitiveDateTime::MIN, -t.number),
    });
    list.iter().map(|t| t.number.to_string()).collect()
}

fn numbers<'a>(list: impl Iterator<Item = &'a Ticket>) -> Vec<String> {
    list.map(|t| t.number.to_string()).collect()
}

/// 760 tickets: ties on due times, paused clocks with overdue targets,
/// first responses given with the resolution due, resolved and closed
/// ones, two requesters, two partners, two agents.
async fn desk_fixture(app: &TestApp, agent: i64, other: i64) -> (i64, i64, i64, i64) {
    let now = agora::models::now();
    let r1 = app
        .create_user("req.one@example.com", "Rae One", PASSWORD, true)
        .await;
    let r2 = app
        .create_user("req.two@example.com", "Rex Two", PASSWORD, true)
        .await;
    let owner = app.person("owner@example.com", "Olga Owner").await;
    let (p1, _) = app.partner("Alpha Care", &owner).await;
    let (p2, _) = app.partner("Beta Fix", &owner).await;
    // Minutes from now; breaching ones are well inside the hour, the others
    // well outside it, so the request's own clock cannot tip any over.
    let offsets = [-120, -30, 20, 45, 90, 300, 600];
    let priorities = ["low", "normal", "high", "urgent"];
    let specs = (0..760usize)
        .map(|i| {
            let subject = if i % 7 == 0 {
                format!("Printer jam {i}")
            } else if i % 11 == 0 {
                format!("PRINTER on fire {i}")
            } else {
                format!("Question {i}")
            };
            let mut t = Spec::new(if i % 5 == 0 { r2 } else { r1 }, subject, now);
            t.partner = [None, Some(p1), Some(p2)][i % 3];
            t.priority = priorities[i % 4];
            t.assignee = [None, Some(agent), Some(other), None][(i / 3) % 4];
            let due = now + Duration::minutes(offsets[i % 7]);
            match i % 20 {
                0..=13 => t.first_due = Some(due),
                14 | 15 => {
                    t.status = "open";
                    t.first_due = Some(now - Duration::hours(5));
                    t.first_at = Some(now - Duration::hours(6));
                    t.resolution_due = Some(due);
                }
                16 => {
                    t.status = "pending";
                    t.first_due = Some(now - Duration::hours(3));
                    t.paused_since = Some(now - Duration::hours(4));
                }
                17 | 18 => {
                    t.status = "resolved";
                    // Some ties, some older than the recent week.
                    t.resolved_at = Some(now - Duration::hours(((i % 9) * 24) as i64));
                }
                _ => {
                    t.status = "closed";
                    t.resolved_at = Some(now - Duration::days(2));
                }
            }
            t
        })
        .collect();
    insert_tickets(app, specs).await;
    (r1, r2, p1, p2)
}

async fn desk_queues_walk_every_ticket_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("agent@example.com", "Alex Agent").await;
    let other = app.staff("other@example.com", "Olly Other").await;
    app.login("agent@example.com", PASSWORD).await;
    let (_, r2, p1, _) = desk_fixture(&app, agent.id, other.id).await;
    let all = all_tickets(&app).await;
    let now = agora::models::now();
    let active: Vec<&Ticket> = all.iter().filter(|t| t.status().is_active()).collect();
    assert!(
        active.len() > 25 * MAX_NUMBERED_PAGE,
        "past the numbered pages"
    );
    // The database's queue key is the ticket's next due time to the
    // microsecond, or after every due time while the clock is paused.
    for t in &all {
        let want = t.status().is_active().then(|| match t.next_due() {
            Some(due) => agora::web::paging::time_key(due),
            None => agora::models::tickets::NO_CLOCK_KEY - t.number,
        });
        assert_eq!(t.queue_key, want, "#{} {}", t.number, t.status);
    }

    // Each queue: every ticket once, in the queue's order.
    let open = walk_pages(&app, "/desk?queue=open").await;
    assert_eq!(open, sla_sorted(active.clone()));
    let breaching: Vec<&Ticket> = active
        .iter()
        .copied()
        .filter(|t| t.breaching(now))
        .collect();
    assert!(!breaching.is_empty() && breaching.len() < active.len());
    assert_eq!(
        walk_pages(&app, "/desk?queue=breaching").await,
        sla_sorted(breaching.clone()),
        "exactly the tickets due within the hour or overdue, paused ones not"
    );
    let mine = active
        .iter()
        .copied()
        .filter(|t| t.assignee_id == Some(agent.id));
    assert_eq!(
        walk_pages(&app, "/desk?queue=mine").await,
        sla_sorted(mine.collect())
    );
    let unassigned = active.iter().copied().filter(|t| t.assignee_id.is_none());
    assert_eq!(
        walk_pages(&app, "/desk?queue=unassigned").await,
        sla_sorted(unassigned.collect())
    );
    let waiting = active.iter().copied().filter(|t| t.status == "pending");
    assert_eq!(
        walk_pages(&app, "/desk?queue=waiting").await,
        sla_sorted(waiting.collect())
    );
    let mut resolved: Vec<&Ticket> = all
        .iter()
        .filter(|t| {
            t.resolved_at
                .is_some_and(|r| r >= now - Duration::days(7) + Duration::minutes(1))
        })
        .collect();
    resolved.sort_by_key(|t| std::cmp::Reverse((t.resolved_at, t.id)));
    assert!(resolved.len() < all.iter().filter(|t| t.resolved_at.is_some()).count());
    assert_eq!(
        walk_pages(&app, "/desk?queue=resolved").await,
        numbers(resolved.into_iter())
    );

    // The queue counts on the page.
    let page = app.get("/desk?queue=open").await;
    page.assert_contains(&format!(
        "Breaching SLA <span class=\"count\">{}</span>",
        breaching.len()
    ));
    page.assert_contains(&format!("{} tickets.", active.len()));

    // Filters and search, alone and together, still in SLA order.
    let filtered = |pred: &dyn Fn(&Ticket) -> bool| {
        sla_sorted(active.iter().copied().filter(|t| pred(t)).collect())
    };
    assert_eq!(
        walk_pages(&app, "/desk?queue=open&status=pending").await,
        filtered(&|t| t.status == "pending")
    );
    assert_eq!(
        walk_pages(&app, "/desk?queue=open&priority=urgent").await,
        filtered(&|t| t.priority == "urgent")
    );
    assert_eq!(
        walk_pages(&app, &format!("/desk?queue=open&partner={p1}")).await,
        filtered(&|t| t.partner_id == Some(p1))
    );
    assert_eq!(
        walk_pages(&app, &format!("/desk?queue=open&assignee={}", other.id)).await,
        filtered(&|t| t.assignee_id == Some(other.id))
    );
    assert_eq!(
        walk_pages(&app, "/desk?queue=open&q=printer").await,
        filtered(&|t| t.subject.to_lowercase().contains("printer"))
    );
    assert_eq!(
        walk_pages(&app, "/desk?queue=open&q=REQ.TWO%40example").await,
        filtered(&|t| t.requester_id == r2)
    );
    assert_eq!(
        walk_pages(
            &app,
            &format!("/desk?queue=breaching&priority=high&partner={p1}&q=question")
        )
        .await,
        sla_sorted(
            breaching
                .iter()
                .copied()
                .filter(|t| t.priority == "high"
                    && t.partner_id == Some(p1)
                    && t.subject.starts_with("Question"))
                .collect()
        )
    );
    // A wildcard is a character like any other.
    assert!(walk_pages(&app, "/desk?queue=open&q=%25").await.is_empty());
    let one = active[17];
    let by_number = app
        .get(&format!("/desk?queue=open&q=%23{}", one.number))
        .await;
    by_number.assert_contains("One ticket.");
    assert_eq!(
        walk_pages(&app, &format!("/desk?queue=open&q={}", one.number)).await,
        vec![one.number.to_string()]
    );

    // A cursor from elsewhere or of junk is a first page, never an error.
    assert_eq!(
        app.get("/desk?queue=open&after=bm9uc2Vuc2U").await.status,
        StatusCode::OK
    );
}
both!(desk_queues_walk_every_ticket_once);

async fn desk_counts_are_capped(backend: Backend) {
    let app = spawn_app(backend).await;
    app.staff("cap@example.com", "Cap Agent").await;
    app.login("cap@example.com", PASSWORD).await;
    let r = app
        .create_user("many@example.com", "Many Tickets", PASSWORD, true)
        .await;
    let now = agora::models::now();
    let specs = (0..COUNT_CAP + 5)
        .map(|i| Spec::new(r, format!("Bulk {i}"), now))
        .collect();
    insert_tickets(&app, specs).await;
    let page = app.get("/desk?queue=open").await;
    page.assert_contains("All open <span class=\"count\">10,000+</span>");
    page.assert_contains("10,000+ tickets.");
    page.assert_contains("Unassigned <span class=\"count\">10,000+</span>");
    page.assert_contains("Breaching SLA <span class=\"count\">0</span>");
    // Without a known total the pager names the page only.
    page.assert_contains("<span>Page 1</span>");
    assert!(page.body.contains("rel=\"next\""));
    app.get("/desk?queue=open&q=%231001")
        .await
        .assert_contains("One ticket.");
    let zh = app
        .client
        .get(app.url("/desk?queue=open"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("共 10,000+ 个工单。"), "{zh}");
}
both!(desk_counts_are_capped);

async fn consumers_and_partners_see_only_their_tickets(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner_a = app.person("pa@example.com", "Pat A").await;
    let owner_b = app.person("pb@example.com", "Pam B").await;
    let (pa, a_slug) = app.partner("Partner A", &owner_a).await;
    let (pb, _) = app.partner("Partner B", &owner_b).await;
    let ann = app
        .create_user("ann@example.com", "Ann", PASSWORD, true)
        .await;
    let bob = app.person("bob@example.com", "Bob").await;
    let now = agora::models::now();
    let specs = (0..90usize)
        .map(|i| {
            let mut t = Spec::new(if i % 2 == 0 { ann } else { bob.id }, format!("T{i}"), now);
            t.partner = if i % 3 == 0 { Some(pb) } else { Some(pa) };
            t
        })
        .collect();
    insert_tickets(&app, specs).await;
    let all = all_tickets(&app).await;
    let newest_first =
        |pred: &dyn Fn(&Ticket) -> bool| numbers(all.iter().rev().filter(|t| pred(t)));

    app.login("ann@example.com", PASSWORD).await;
    assert_eq!(
        walk_pages(&app, "/me/tickets").await,
        newest_first(&|t| t.requester_id == ann)
    );
    for t in all.iter().filter(|t| t.requester_id == bob.id).take(3) {
        assert_eq!(
            app.get(&format!("/me/tickets/{}", t.number)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    app.post("/logout", &[]).await;

    app.login("pa@example.com", PASSWORD).await;
    assert_eq!(
        walk_pages(&app, &format!("/partner/{a_slug}/tickets")).await,
        newest_first(&|t| t.partner_id == Some(pa))
    );

    // The desk's short history links to every ticket of the requester.
    app.staff("hist@example.com", "Hal").await;
    app.post("/logout", &[]).await;
    app.login("hist@example.com", PASSWORD).await;
    let first_of_ann = all.iter().find(|t| t.requester_id == ann).unwrap();
    let page = app
        .get(&format!("/desk/tickets/{}", first_of_ann.number))
        .await;
    let link = format!("/desk/requesters/{ann}");
    page.assert_contains(&link);
    page.assert_contains("All tickets from this requester");
    assert_eq!(
        walk_pages(&app, &link).await,
        newest_first(&|t| t.requester_id == ann)
    );
    assert_eq!(
        app.get("/desk/requesters/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with(&bob.client, &link).await.status,
        StatusCode::NOT_FOUND
    );
}
both!(consumers_and_partners_see_only_their_tickets);

async fn admin_lists_walk_every_row_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.admin("root@example.com").await;
    app.login("root@example.com", PASSWORD).await;
    // More users than the numbered pages hold, many created at the same
    // instant, so cursors must break ties by id.
    let t0 = agora::models::now() - Duration::days(3);
    app.db(move |c| {
        use agora::schema::users::dsl::*;
        for start in (0..1010).step_by(400) {
            let rows: Vec<_> = (start..(start + 400).min(1010))
                .map(|i| {
                    let at = t0 + Duration::hours((i % 3) as i64);
                    (
                        email.eq(format!("bulk{i}@example.com")),
                        display_name.eq(format!("Bulk {i}")),
                        password_hash.eq("x"),
                        is_staff.eq(false),
                        is_admin.eq(false),
                        created_at.eq(at),
                        updated_at.eq(at),
                    )
                })
                .collect();
            batch!(c, diesel::insert_into(users).values(rows));
        }
    })
    .await;
    let expected: Vec<String> = app
        .db(|c| {
            use agora::schema::users::dsl::*;
            users
                .order((created_at.desc(), id.desc()))
                .select(id)
                .load::<i64>(c)
                .unwrap()
        })
        .await
        .iter()
        .map(i64::to_string)
        .collect();
    assert!(expected.len() > 50 * MAX_NUMBERED_PAGE);
    assert_eq!(walk_pages(&app, "/admin/users").await, expected);
    // Search stays in SQL and pages too.
    let found = walk_pages(&app, "/admin/users?q=bulk1").await;
    let want = app
        .db(|c| {
            use agora::schema::users::dsl::*;
            users
                .filter(email.like("bulk1%"))
                .order((created_at.desc(), id.desc()))
                .select(id)
                .load::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(found, want.iter().map(i64::to_string).collect::<Vec<_>>());
    assert!(
        walk_pages(&app, "/admin/users?q=nobody-like-this")
            .await
            .is_empty()
    );

    // The audit log, newest first, with its search.
    app.db(|c| {
        for i in 0..120 {
            agora::models::audit::record(c, None, "bulk_test", &format!("thing:{i}"), None)
                .unwrap();
        }
    })
    .await;
    let audit = walk_pages(&app, "/admin/audit?q=bulk_").await;
    assert_eq!(audit.len(), 120);
    let ids: Vec<i64> = audit.iter().map(|k| k.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");

    // Partners by status, with the applications waiting counted.
    let owner = app.person("own@example.com", "Own").await;
    for i in 0..3 {
        app.partner(&format!("Approved {i}"), &owner).await;
    }
    app.db(|c| {
        use agora::schema::partners::dsl::*;
        diesel::update(partners.filter(name.eq("Approved 0")))
            .set(status.eq("pending"))
            .execute(c)
            .unwrap();
    })
    .await;
    let page = app.get("/admin/partners").await;
    page.assert_contains("Applications waiting for review: 1");
    assert_eq!(walk_pages(&app, "/admin/partners").await.len(), 3);
    assert_eq!(
        walk_pages(&app, "/admin/partners?status=approved")
            .await
            .len(),
        2
    );
    assert_eq!(
        walk_pages(&app, "/admin/partners?q=APPROVED%201")
            .await
            .len(),
        1
    );

    // Published listings and reviews, hidden ones apart.
    let (pid, _) = app.partner("Listed", &owner).await;
    let (lid, _) = app.listing(pid, "Shown one", "x", true).await;
    app.listing(pid, "Shown two", "x", true).await;
    app.listing(pid, "A draft", "x", false).await;
    assert_eq!(walk_pages(&app, "/admin/listings").await.len(), 2);
    app.db(move |c| {
        use agora::schema::reviews::dsl::*;
        let t = agora::models::now();
        for (i, who) in [
            "bulk1@example.com",
            "bulk2@example.com",
            "bulk3@example.com",
        ]
        .iter()
        .enumerate()
        {
            let uid: i64 = agora::schema::users::table
                .filter(agora::schema::users::email.eq(*who))
                .select(agora::schema::users::id)
                .first(c)
                .unwrap();
            diesel::insert_into(reviews)
                .values((
                    listing_id.eq(lid),
                    partner_id.eq(pid),
                    consumer_id.eq(uid),
                    rating.eq(4),
                    body.eq(format!("Review {i}")),
                    hidden_at.eq((i == 0).then_some(t)),
                    created_at.eq(t),
                    updated_at.eq(t),
                ))
                .execute(c)
                .unwrap();
        }
    })
    .await;
    assert_eq!(walk_pages(&app, "/admin/moderation").await.len(), 3);
    assert_eq!(
        walk_pages(&app, "/admin/moderation?show=visible")
            .await
            .len(),
        2
    );
    assert_eq!(
        walk_pages(&app, "/admin/moderation?show=hidden")
            .await
            .len(),
        1
    );
    // The outbox's two lists.
    assert!(walk_pages(&app, "/admin/outbox").await.is_empty());
    app.get("/admin/outbox?status=queued")
        .await
        .assert_contains("aria-current=\"page\" class=\"current\">Waiting to be sent");
}
both!(admin_lists_walk_every_row_once);

async fn canned_replies_page_by_title(backend: Backend) {
    let app = spawn_app(backend).await;
    app.staff("canned@example.com", "Cory").await;
    app.login("canned@example.com", PASSWORD).await;
    // Past the numbered pages, with titles shared by several replies.
    app.db(|c| {
        use agora::schema::canned_replies::dsl::*;
        let t = agora::models::now();
        let rows: Vec<_> = (0..530)
            .map(|i| {
                (
                    title.eq(format!("Title {:03}", (i * 37) % 200)),
                    body.eq(format!("Body {i}")),
                    created_at.eq(t),
                    updated_at.eq(t),
                )
            })
            .collect();
        batch!(c, diesel::insert_into(canned_replies).values(rows));
    })
    .await;
    let expected: Vec<String> = app
        .db(|c| {
            use agora::schema::canned_replies::dsl::*;
            canned_replies
                .order((title.asc(), id.asc()))
                .select(id)
                .load::<i64>(c)
                .unwrap()
        })
        .await
        .iter()
        .map(i64::to_string)
        .collect();
    assert_eq!(walk_pages(&app, "/desk/canned").await, expected);
    // The ticket page offers a bounded menu.
    let menu = app
        .db(|c| agora::models::tickets::canned(c).unwrap().len())
        .await;
    assert_eq!(menu as i64, agora::models::tickets::CANNED_MENU);
}
both!(canned_replies_page_by_title);

async fn reports_aggregate_in_sql(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.staff("rep@example.com", "Rita Reports").await;
    app.login("rep@example.com", PASSWORD).await;
    let r = app
        .create_user("rq@example.com", "Requester", PASSWORD, true)
        .await;
    let now = agora::models::now();
    let start = now - Duration::hours(30);
    let specs = (0..8usize)
        .map(|i| {
            let mut t = Spec::new(r, format!("R{i}"), now);
            t.created_at = start;
            t.priority = if i < 4 { "urgent" } else { "low" };
            t.first_due = Some(start + Duration::hours(1));
            t.resolution_due = Some(start + Duration::hours(4));
            // Urgent: three first responses in time, one late; low: none yet.
            if i < 4 {
                t.status = "resolved";
                t.assignee = Some(agent.id);
                t.first_at = Some(start + Duration::minutes(if i == 3 { 90 } else { 30 }));
                t.resolved_at = Some(start + Duration::hours(if i < 2 { 2 } else { 6 }));
            }
            t
        })
        .collect();
    insert_tickets(&app, specs).await;
    app.db(|c| {
        use agora::schema::tickets::dsl::*;
        diesel::update(tickets.filter(subject.eq_any(["R0", "R1"])))
            .set(satisfaction_rating.eq(Some(5)))
            .execute(c)
            .unwrap();
        diesel::update(tickets.filter(subject.eq("R2")))
            .set(satisfaction_rating.eq(Some(2)))
            .execute(c)
            .unwrap();
    })
    .await;
    let page = app.get("/desk/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<th scope=\"row\">All tickets</th><td>8</td><td>4</td>");
    page.assert_contains("<tr><td>Urgent</td><td>4</td><td>75 %</td><td>50 %</td></tr>");
    page.assert_contains("<tr><td>Low</td><td>4</td><td>–</td><td>–</td></tr>");
    page.assert_contains("★ 4.0");
    page.assert_contains("5 stars: 2");
    page.assert_contains("2 stars: 1");
    page.assert_contains("<th scope=\"row\">Rita Reports</th><td>4</td><td>4</td>");
    page.assert_contains("<th scope=\"row\">(none)</th><td>4</td><td>0</td>");
    // Medians of 30, 30, 30, 90 minutes and of 2, 2, 6, 6 hours.
    page.assert_contains("<td>30 min</td><td>1 h 30 min</td><td>2 h 0 min</td><td>6 h 0 min</td>");
}
both!(reports_aggregate_in_sql);
