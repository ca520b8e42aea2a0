//! Figures over time, checked against small data sets whose numbers are
//! worked out by hand: the partner overview's charts and top listings,
//! customer segments a month ago, the desk's report charts and export,
//! and the admin's platform charts.

use diesel::prelude::*;
use reqwest::StatusCode;
use time::{Duration, PrimitiveDateTime, Time};

use crate::both;
use crate::helpers::{Backend, open_ticket, spawn_app, trend_cells, trend_values};

/// `minutes` past midnight (UTC, the tests' clock) `days` days ago.
fn at(days: i64, minutes: i64) -> PrimitiveDateTime {
    let today = agora::models::now().date();
    PrimitiveDateTime::new(today - Duration::days(days), Time::MIDNIGHT)
        + Duration::minutes(minutes)
}

fn view(c: &mut agora::db::AnyConnection, listing: i64, days: i64, views: i32) {
    use agora::schema::listing_views as v;
    diesel::insert_into(v::table)
        .values((
            v::listing_id.eq(listing),
            v::day.eq(at(days, 0).date().to_string()),
            v::views.eq(views),
        ))
        .execute(c)
        .unwrap();
}

fn request(
    c: &mut agora::db::AnyConnection,
    listing: i64,
    partner: i64,
    consumer: i64,
    when: PrimitiveDateTime,
) {
    use agora::schema::engagements as e;
    diesel::insert_into(e::table)
        .values((
            e::listing_id.eq(listing),
            e::partner_id.eq(partner),
            e::consumer_id.eq(consumer),
            e::message.eq("Hello"),
            e::created_at.eq(when),
        ))
        .execute(c)
        .unwrap();
}

fn consent(
    c: &mut agora::db::AnyConnection,
    partner: i64,
    consumer: i64,
    given_at: PrimitiveDateTime,
    withdrawn_at: Option<PrimitiveDateTime>,
) {
    use agora::schema::consents as k;
    diesel::insert_into(k::table)
        .values((
            k::partner_id.eq(partner),
            k::consumer_id.eq(consumer),
            k::given.eq(withdrawn_at.is_none()),
            k::given_at.eq(given_at),
            k::withdrawn_at.eq(withdrawn_at),
        ))
        .execute(c)
        .unwrap();
}

fn review(
    c: &mut agora::db::AnyConnection,
    listing: i64,
    partner: i64,
    consumer: i64,
    rating: i32,
    when: PrimitiveDateTime,
) {
    use agora::schema::reviews as r;
    diesel::insert_into(r::table)
        .values((
            r::listing_id.eq(listing),
            r::partner_id.eq(partner),
            r::consumer_id.eq(consumer),
            r::rating.eq(rating),
            r::body.eq("Fine."),
            r::created_at.eq(when),
            r::updated_at.eq(when),
        ))
        .execute(c)
        .unwrap();
}

/// Sets a ticket's times, priority, status and rating as a test needs.
#[allow(clippy::too_many_arguments)]
fn shape_ticket(
    c: &mut agora::db::AnyConnection,
    number: i64,
    priority: &str,
    created: PrimitiveDateTime,
    first: Option<PrimitiveDateTime>,
    first_due: Option<PrimitiveDateTime>,
    resolved: Option<PrimitiveDateTime>,
    resolution_due: Option<PrimitiveDateTime>,
    rating: Option<i32>,
) {
    use agora::schema::tickets as t;
    diesel::update(t::table.filter(t::number.eq(number)))
        .set((
            t::priority.eq(priority),
            t::created_at.eq(created),
            t::first_response_at.eq(first),
            t::first_response_due.eq(first_due),
            t::resolved_at.eq(resolved),
            t::resolution_due.eq(resolution_due),
            t::status.eq(if resolved.is_some() {
                "resolved"
            } else {
                "open"
            }),
            t::satisfaction_rating.eq(rating),
        ))
        .execute(c)
        .unwrap();
}

async fn overview_charts_show_rates_and_top_listings(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("ins-owner@example.com", "Owner").await;
    let (pid, slug) = app.partner("Insight Co", &owner).await;
    let (alpha, alpha_slug) = app.listing(pid, "Alpha walks", "Walks.", true).await;
    let (beta, _) = app.listing(pid, "Beta baths", "Baths.", true).await;
    let c1 = app.person("ins-c1@example.com", "C1").await;
    let c2 = app.person("ins-c2@example.com", "C2").await;
    let c3 = app.person("ins-c3@example.com", "C3").await;
    let i4 = app.create_user("ins-c4@example.com", "C4", "x", true).await;
    let (i1, i2, i3) = (c1.id, c2.id, c3.id);
    // Three tickets on Alpha, answered after 60 minutes (yesterday), 20
    // and 100 minutes (today); business hours are 24x7.
    let mut numbers = Vec::new();
    for subject in ["One", "Two", "Three"] {
        numbers.push(open_ticket(&app, &c1, subject, &alpha_slug, "normal").await);
    }
    app.db(move |c| {
        // Views: Alpha 30 today and 10 yesterday, Beta 25 today.
        view(c, alpha, 0, 30);
        view(c, alpha, 1, 10);
        view(c, beta, 0, 25);
        // Requests: Alpha three today and one yesterday, Beta one today.
        for who in [i1, i2, i3] {
            request(c, alpha, pid, who, at(0, 1));
        }
        request(c, alpha, pid, i4, at(1, 1));
        request(c, beta, pid, i2, at(0, 1));
        // Consents: given today; given two days ago and withdrawn today;
        // given ten days ago (the week before).
        consent(c, pid, i1, at(0, 2), None);
        consent(c, pid, i2, at(2, 2), Some(at(0, 3)));
        consent(c, pid, i3, at(10, 2), None);
        // Reviews: 5 and 2 today, 4 yesterday.
        review(c, alpha, pid, i1, 5, at(0, 4));
        review(c, alpha, pid, i2, 2, at(0, 4));
        review(c, beta, pid, i3, 4, at(1, 4));
        let shape = |c: &mut agora::db::AnyConnection, n: i64, days: i64, minutes: i64| {
            shape_ticket(
                c,
                n,
                "normal",
                at(days, 1),
                Some(at(days, 1 + minutes)),
                None,
                None,
                None,
                None,
            )
        };
        shape(c, numbers[0], 1, 60);
        shape(c, numbers[1], 0, 20);
        shape(c, numbers[2], 0, 100);
    })
    .await;
    let page = app
        .get_with(&owner.client, &format!("/partner/{slug}?period=7"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert_eq!(trend_values(b, "requests"), vec![0, 0, 0, 0, 0, 1, 4]);
    assert_eq!(trend_values(b, "views"), vec![0, 0, 0, 0, 0, 10, 55]);
    // 4 requests of 55 views today (7 %); ten views yesterday are too few
    // to say; the week's 5 of 65 is 8 %.
    assert_eq!(
        trend_cells(b, "conversion"),
        std::iter::repeat_n(vec![None], 6)
            .chain([vec![Some(7)]])
            .collect::<Vec<_>>()
    );
    let conversion = &b[b.find("id=\"trend-conversion\"").unwrap()..];
    assert!(conversion.contains("<span class=\"stat\">8 %</span>"));
    assert!(conversion.contains("not enough views yet (fewer than 20)"));
    // Given: one two days ago and one today; withdrawn: one today; against
    // one given the week before, +100 %.
    let consents = trend_cells(b, "consents");
    assert_eq!(consents[4], vec![Some(1), Some(0)]);
    assert_eq!(consents[6], vec![Some(1), Some(1)]);
    assert_eq!(consents.iter().map(|r| r[0].unwrap()).sum::<i64>(), 2);
    let consent_section = &b[b.find("id=\"trend-consents\"").unwrap()..];
    assert!(consent_section.contains("100 % against the period before"));
    assert_eq!(trend_values(b, "reviews"), vec![0, 0, 0, 0, 0, 1, 2]);
    // Average rating: 4.00 yesterday, 3.50 today, 3.67 over the week.
    let rating = trend_cells(b, "rating");
    assert_eq!(rating[5], vec![Some(400)]);
    assert_eq!(rating[6], vec![Some(350)]);
    assert_eq!(rating[0], vec![None]);
    let rating_section = &b[b.find("id=\"trend-rating\"").unwrap()..];
    assert!(rating_section.contains("<span class=\"stat\">3.7</span>"));
    // Median first response: 60 minutes yesterday; today the nearest-rank
    // median of 20 and 100 is 20; over the week 60.
    let first = trend_cells(b, "first-response");
    assert_eq!(first[5], vec![Some(60)]);
    assert_eq!(first[6], vec![Some(20)]);
    let first_section = &b[b.find("id=\"trend-first-response\"").unwrap()..];
    assert!(first_section.contains("<span class=\"stat\">1 h 0 min</span>"));
    assert_eq!(trend_values(b, "tickets").iter().sum::<i64>(), 3);
    // Top listings: by requests Alpha (4) then Beta (1); by conversion
    // Alpha (4 of 40 views, 10 %) then Beta (1 of 25, 4 %).
    let top = &b[b.find("id=\"top-requests\"").unwrap()..];
    let top = &top[..top.find("</ol>").unwrap()];
    assert!(top.find("Alpha walks").unwrap() < top.find("Beta baths").unwrap());
    assert!(top.contains("4 requests") && top.contains("1 request<"));
    let conv = &b[b.find("id=\"top-conversion\"").unwrap()..];
    let conv = &conv[..conv.find("</ol>").unwrap()];
    assert!(
        conv.find("Alpha walks</a>: 10 %").unwrap() < conv.find("Beta baths</a>: 4 %").unwrap(),
        "{conv}"
    );
    // In Chinese, the same numbers under Chinese titles.
    let saved = app
        .post_with(
            &owner.client,
            "/me/profile",
            &[("display_name", "Owner"), ("locale", "zh-CN")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let zh = app
        .get_with(&owner.client, &format!("/partner/{slug}?period=7"))
        .await;
    zh.assert_contains("转化率（每 100 次浏览的请求数）");
    assert_eq!(trend_values(&zh.body, "views"), vec![0, 0, 0, 0, 0, 10, 55]);
}
both!(overview_charts_show_rates_and_top_listings);

async fn segments_a_month_ago_and_the_moves_between_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("seg-owner@example.com", "Owner").await;
    let (pid, slug) = app.partner("Segment Co", &owner).await;
    let (lid, _) = app.listing(pid, "Garden care", "Care.", true).await;
    let a = app
        .create_user("seg-a@example.com", "Ann Older", "x", true)
        .await;
    let b = app
        .create_user("seg-b@example.com", "Ben Newer", "x", true)
        .await;
    app.db(move |c| {
        use agora::schema::activities as act;
        // Ann came 40 days ago, once; Ben 10 days ago, once.
        for (who, days) in [(a, 40), (b, 10)] {
            diesel::insert_into(act::table)
                .values((
                    act::consumer_id.eq(who),
                    act::partner_id.eq(Some(pid)),
                    act::listing_id.eq(Some(lid)),
                    act::kind.eq("engaged"),
                    act::detail.eq(""),
                    act::created_at.eq(agora::models::now() - Duration::days(days)),
                ))
                .execute(c)
                .unwrap();
            consent(
                c,
                pid,
                who,
                agora::models::now() - Duration::days(days),
                None,
            );
        }
        agora::models::crm::refresh_scores(c, pid).unwrap();
    })
    .await;
    // Now: Ann is the less recent of two (R2, F3 tie) and past 30 days, so
    // at risk; Ben is new. A month ago Ann was the only customer (all
    // scores 3) and ten days in, so new; Ben was none.
    let page = app
        .get_with(&owner.client, &format!("/partner/{slug}/customers"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let panel = &page.body[page.body.find("id=\"segments-over-time\"").unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    let row = |label: &str| -> (String, String) {
        let r = &panel[panel.find(&format!(">{label}</th>")).unwrap()..];
        let cells: Vec<&str> = r.split("data-value=\"").skip(1).take(2).collect();
        (
            cells[0][..cells[0].find('"').unwrap()].to_string(),
            cells[1][..cells[1].find('"').unwrap()].to_string(),
        )
    };
    assert_eq!(row("At risk"), ("1".into(), "0".into()));
    assert_eq!(row("New"), ("1".into(), "1".into()));
    assert_eq!(row("Loyal"), ("0".into(), "0".into()));
    assert!(
        panel.contains("was=new&#38;segment=at-risk\">1 customer went from New to At risk</a>"),
        "{panel}"
    );
    assert!(panel.contains("1 customer became customers in the last month"));
    // The links give the list of those customers.
    let was_new = app
        .get_with(
            &owner.client,
            &format!("/partner/{slug}/customers?was=new&segment=at-risk"),
        )
        .await;
    assert!(was_new.body.contains("Ann Older") && !was_new.body.contains("Ben Newer"));
    let newcomers = app
        .get_with(
            &owner.client,
            &format!("/partner/{slug}/customers?was=none"),
        )
        .await;
    assert!(newcomers.body.contains("Ben Newer") && !newcomers.body.contains("Ann Older"));
    assert!(newcomers.body.contains("<option value=\"none\" selected>"));
    // Consent is read live: once Ben stops sharing, he is neither counted
    // nor listed.
    app.db(move |c| {
        use agora::schema::consents as k;
        diesel::update(k::table.filter(k::consumer_id.eq(b)))
            .set((
                k::given.eq(false),
                k::withdrawn_at.eq(Some(agora::models::now())),
            ))
            .execute(c)
            .unwrap();
    })
    .await;
    let after = app
        .get_with(
            &owner.client,
            &format!("/partner/{slug}/customers?was=none"),
        )
        .await;
    assert!(!after.body.contains("Ben Newer"));
    assert!(!after.body.contains("became customers in the last month"));
}
both!(segments_a_month_ago_and_the_moves_between_them);

async fn desk_report_charts_and_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.staff("rep-staff@example.com", "Rita").await;
    let owner = app.person("rep-owner@example.com", "Owner").await;
    let (p1, _) = app.partner("Report One", &owner).await;
    let (p2, _) = app.partner("Report Two", &owner).await;
    let (_, l1) = app.listing(p1, "Report walk", "Walk.", true).await;
    let (_, l2) = app.listing(p2, "Report bath", "Bath.", true).await;
    let who = app.person("rep-c@example.com", "Cora").await;
    let t1 = open_ticket(&app, &who, "First", &l1, "normal").await;
    let t2 = open_ticket(&app, &who, "Second", &l2, "high").await;
    let t3 = open_ticket(&app, &who, "Third", &l1, "normal").await;
    app.db(move |c| {
        // T1: opened 3 days ago, answered in 30 min (target met), resolved
        // a day later (1,440 min, after its target), rated 4.
        shape_ticket(
            c,
            t1,
            "normal",
            at(3, 1),
            Some(at(3, 31)),
            Some(at(3, 61)),
            Some(at(2, 1)),
            Some(at(2, 0)),
            Some(4),
        );
        // T2 (partner two): opened yesterday, answered in 10 min against
        // a 5 min target, not resolved.
        shape_ticket(
            c,
            t2,
            "high",
            at(1, 1),
            Some(at(1, 11)),
            Some(at(1, 6)),
            None,
            None,
            None,
        );
        // T3: opened 10 days ago (before the period), resolved yesterday
        // (12,960 min), rated 2.
        shape_ticket(
            c,
            t3,
            "normal",
            at(10, 1),
            Some(at(10, 2)),
            None,
            Some(at(1, 1)),
            None,
            Some(2),
        );
    })
    .await;
    let (from, to) = (at(6, 0).date(), at(0, 0).date());
    let page = app
        .get_with(&staff.client, &format!("/desk/reports?from={from}&to={to}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    let opened_resolved = trend_cells(b, "opened-resolved");
    assert_eq!(
        opened_resolved
            .iter()
            .map(|r| r[0].unwrap())
            .collect::<Vec<_>>(),
        vec![0, 0, 0, 1, 0, 1, 0]
    );
    assert_eq!(
        opened_resolved
            .iter()
            .map(|r| r[1].unwrap())
            .collect::<Vec<_>>(),
        vec![0, 0, 0, 0, 1, 1, 0]
    );
    // Unresolved at each day's end: T3 throughout, T1 on its first day,
    // T2 from yesterday.
    assert_eq!(trend_values(b, "backlog"), vec![1, 1, 1, 2, 1, 1, 1]);
    // One week: medians of first responses 10 and 30 (nearest rank: 10),
    // of resolutions 1,440 and 12,960 (1,440).
    assert_eq!(trend_cells(b, "medians"), vec![vec![Some(10), Some(1440)]]);
    // SLA per priority (low, normal, high, urgent as the form lists them):
    // normal met one of two targets, high none of one.
    let order: Vec<&str> = agora::domain::ticket::Priority::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    let sla = &trend_cells(b, "sla")[0];
    let share = |p: &str| sla[order.iter().position(|x| *x == p).unwrap()];
    assert_eq!(share("normal"), Some(50));
    assert_eq!(share("high"), Some(0));
    assert_eq!(share("low"), None);
    // Satisfaction: ratings 4 and 2 of tickets resolved in the week.
    assert_eq!(trend_cells(b, "satisfaction"), vec![vec![Some(300)]]);
    // For partner two only.
    let two = app
        .get_with(
            &staff.client,
            &format!("/desk/reports?from={from}&to={to}&partner={p2}"),
        )
        .await;
    assert_eq!(
        trend_values(&two.body, "opened-resolved"),
        vec![0, 0, 0, 0, 0, 1, 0]
    );
    assert_eq!(
        trend_values(&two.body, "backlog"),
        vec![0, 0, 0, 0, 0, 1, 1]
    );
    assert!(
        two.body
            .contains(&format!("<option value=\"{p2}\" selected>Report Two"))
    );
    // A partner without tickets in the period stays chosen.
    let (p3, _) = app.partner("Report Three", &owner).await;
    let three = app
        .get_with(
            &staff.client,
            &format!("/desk/reports?from={from}&to={to}&partner={p3}"),
        )
        .await;
    assert!(
        three
            .body
            .contains(&format!("<option value=\"{p3}\" selected>Report Three"))
    );
    assert_eq!(trend_values(&three.body, "opened-resolved"), vec![0; 7]);
    // Bad choices are said, and the report still shows.
    let bad = app
        .get_with(
            &staff.client,
            &format!("/desk/reports?from={from}&to={to}&partner=x"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    bad.assert_contains("Choose one of the options offered.");
    // The export: the period's two tickets, oldest first.
    let res = staff
        .client
        .get(app.url(&format!("/desk/reports.csv?from={from}&to={to}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("Ticket,Partner,Priority,Opened (UTC)"),
        "{csv}"
    );
    assert_eq!(
        lines[1],
        format!(
            "{t1},Report One,Normal,{}T00:01:00Z,{}T00:31:00Z,{}T00:01:00Z,30,1440,met,missed,4",
            at(3, 0).date(),
            at(3, 0).date(),
            at(2, 0).date()
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "{t2},Report Two,High,{}T00:01:00Z,{}T00:11:00Z,,10,,missed,,",
            at(1, 0).date(),
            at(1, 0).date()
        )
    );
    // Not for anyone but staff.
    let res = owner
        .client
        .get(app.url("/desk/reports.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
both!(desk_report_charts_and_export);

async fn admin_charts_count_the_platform(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("plat-admin@example.com").await;
    let u1 = app
        .create_user("plat-u1@example.com", "U1", "x", true)
        .await;
    let u2 = app
        .create_user("plat-u2@example.com", "U2", "x", true)
        .await;
    let owner = app.person("plat-owner@example.com", "Owner").await;
    let (pid, _) = app.partner("Platform Co", &owner).await;
    let (old, _) = app.listing(pid, "Old listing", "Old.", true).await;
    let (_, fresh) = app.listing(pid, "Fresh listing", "New.", true).await;
    open_ticket(&app, &owner, "Help", &fresh, "normal").await;
    let approved_at = app
        .db(move |c| {
            use agora::schema::{listings, outgoing_email as o, partners, users};
            for u in [u1, u2] {
                diesel::update(users::table.find(u))
                    .set(users::created_at.eq(at(2, 5)))
                    .execute(c)
                    .unwrap();
            }
            // Approving stamps the time; the chart counts that day.
            agora::models::partners::set_status(c, pid, "approved", None).unwrap();
            let stamped: Option<PrimitiveDateTime> = partners::table
                .find(pid)
                .select(partners::approved_at)
                .first(c)
                .unwrap();
            diesel::update(partners::table.find(pid))
                .set(partners::approved_at.eq(at(1, 0)))
                .execute(c)
                .unwrap();
            diesel::update(listings::table.find(old))
                .set(listings::published_at.eq(Some(at(3, 0))))
                .execute(c)
                .unwrap();
            request(c, old, pid, u1, at(1, 10));
            for (i, (status, day)) in [("sent", 2), ("sent", 2), ("failed", 1)].iter().enumerate() {
                diesel::insert_into(o::table)
                    .values((
                        o::message_id.eq(format!("<plat-{i}@example.com>")),
                        o::to_addr.eq("someone@example.com"),
                        o::subject.eq("Hello"),
                        o::body_text.eq("Hi"),
                        o::body_html.eq("<p>Hi</p>"),
                        o::status.eq(*status),
                        o::attempts.eq(1),
                        o::next_attempt_at.eq(at(*day, 30)),
                        o::created_at.eq(at(*day, 0)),
                        o::sent_at.eq((*status == "sent").then(|| at(*day, 30))),
                        o::sensitive.eq(false),
                    ))
                    .execute(c)
                    .unwrap();
            }
            stamped
        })
        .await;
    assert!(approved_at.is_some());
    let page = app.get_with(&admin.client, "/admin?period=7").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    let signups = trend_values(b, "sign-ups");
    assert_eq!(signups[4], 2);
    // The admin and the owner signed up today.
    assert_eq!(signups[6], 2);
    assert_eq!(
        trend_values(b, "partners-approved"),
        vec![0, 0, 0, 0, 0, 1, 0]
    );
    assert_eq!(
        trend_values(b, "listings-published"),
        vec![0, 0, 0, 1, 0, 0, 1]
    );
    assert_eq!(trend_values(b, "requests"), vec![0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(trend_values(b, "tickets")[6], 1);
    let mail = trend_cells(b, "mail");
    assert_eq!(mail[4], vec![Some(2), Some(0)]);
    assert_eq!(mail[5][1], Some(1));
    let year = app.get_with(&admin.client, "/admin?period=365").await;
    assert_eq!(trend_values(&year.body, "sign-ups").len(), 52);
    // Only admins.
    let other = app.get_with(&owner.client, "/admin").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
both!(admin_charts_count_the_platform);

async fn a_consumer_sees_and_downloads_their_own_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("hist-owner@example.com", "Owner").await;
    let (pid, _) = app.partner("History Co", &owner).await;
    let (lid, _) = app.listing(pid, "History walk", "Walk.", true).await;
    let me = app.person("hist-me@example.com", "Hanna").await;
    let other = app.person("hist-other@example.com", "Otto").await;
    let (uid, oid) = (me.id, other.id);
    app.db(move |c| {
        use agora::schema::activities as act;
        let add = |c: &mut agora::db::AnyConnection, who: i64, kind: &str, when| {
            diesel::insert_into(act::table)
                .values((
                    act::consumer_id.eq(who),
                    act::partner_id.eq(Some(pid)),
                    act::listing_id.eq(Some(lid)),
                    act::kind.eq(kind),
                    act::detail.eq(""),
                    act::created_at.eq(when),
                ))
                .execute(c)
                .unwrap();
        };
        // Hers: a request and a review today, a ticket three weeks ago,
        // a consent today (listed, not charted), and a request two years
        // ago (listed, outside the chart's year). Someone else's request.
        add(
            c,
            uid,
            "engaged",
            agora::models::now() - Duration::minutes(5),
        );
        add(
            c,
            uid,
            "reviewed",
            agora::models::now() - Duration::minutes(4),
        );
        add(
            c,
            uid,
            "consent_given",
            agora::models::now() - Duration::minutes(3),
        );
        add(
            c,
            uid,
            "ticket_opened",
            agora::models::now() - Duration::days(21),
        );
        add(
            c,
            uid,
            "engaged",
            agora::models::now() - Duration::days(730),
        );
        add(
            c,
            oid,
            "engaged",
            agora::models::now() - Duration::minutes(5),
        );
    })
    .await;
    let page = app.get_with(&me.client, "/me").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cells = trend_cells(&page.body, "history");
    assert_eq!(cells.len(), 52);
    assert_eq!(cells[51], vec![Some(1), Some(1), Some(0)]);
    assert_eq!(cells[48], vec![Some(0), Some(0), Some(1)]);
    let sums: Vec<i64> = (0..3)
        .map(|k| cells.iter().map(|r| r[k].unwrap()).sum())
        .collect();
    assert_eq!(sums, vec![1, 1, 1]);
    let csv = me
        .client
        .get(app.url("/me/history.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "When (UTC),What,Partner,Listing");
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(
        lines[1].ends_with(",Requested a service,History Co,History walk"),
        "{csv}"
    );
    assert!(lines[2].contains(",Opened a ticket,"));
    assert!(lines[5].contains(",Agreed to share details,"));
    // Only one's own.
    let theirs = other
        .client
        .get(app.url("/me/history.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(theirs.lines().count(), 2);
    let anonymous = crate::helpers::bare_client()
        .get(app.url("/me/history.csv"))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK);
}
both!(a_consumer_sees_and_downloads_their_own_history);
