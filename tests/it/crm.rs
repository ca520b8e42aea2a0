//! The CRM at size: stored segment scores, live consent, seek paging over
//! the customers and their timeline, the streamed CSV, the overview's
//! conversion figure.

use std::collections::HashSet;

use agora::db::AnyConnection;
use agora::domain::segments::{self, Inputs, Segment};
use agora::models::crm;
use agora::schema::{
    activities, consents, customer_scores, engagements, listing_views, reviews, tickets,
};
use diesel::prelude::*;
use reqwest::StatusCode;
use time::{Duration, PrimitiveDateTime};

use crate::both;
use crate::helpers::{Backend, Page, Person, TestApp, spawn_app};

async fn get(app: &TestApp, p: &Person, path: &str) -> Page {
    app.get_with(&p.client, path).await
}

/// A consumer made directly in the database (no password to check).
fn insert_consumer(c: &mut AnyConnection, email: &str, name: &str) -> i64 {
    let t = agora::models::now();
    agora::models::users::insert(
        c,
        &agora::models::users::NewUser {
            email,
            display_name: name,
            password_hash: "not-a-hash",
            locale: None,
            email_verified_at: Some(t),
            is_staff: false,
            is_admin: false,
            created_at: t,
            updated_at: t,
        },
    )
    .unwrap()
    .id
}

fn insert_engagement(
    c: &mut AnyConnection,
    listing_id: i64,
    partner_id: i64,
    consumer_id: i64,
    consent: bool,
    at: PrimitiveDateTime,
) {
    diesel::insert_into(engagements::table)
        .values((
            engagements::listing_id.eq(listing_id),
            engagements::partner_id.eq(partner_id),
            engagements::consumer_id.eq(consumer_id),
            engagements::message.eq(""),
            engagements::created_at.eq(at),
        ))
        .execute(c)
        .unwrap();
    if consent {
        diesel::insert_into(consents::table)
            .values((
                consents::partner_id.eq(partner_id),
                consents::consumer_id.eq(consumer_id),
                consents::given.eq(true),
                consents::given_at.eq(at),
            ))
            .execute(c)
            .unwrap();
    }
}

fn insert_activity(
    c: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
    kind: &str,
    at: PrimitiveDateTime,
) {
    diesel::insert_into(activities::table)
        .values((
            activities::consumer_id.eq(consumer_id),
            activities::partner_id.eq(Some(partner_id)),
            activities::listing_id.eq(None::<i64>),
            activities::kind.eq(kind),
            activities::detail.eq(""),
            activities::created_at.eq(at),
        ))
        .execute(c)
        .unwrap();
}

fn insert_review(
    c: &mut AnyConnection,
    listing_id: i64,
    partner_id: i64,
    consumer_id: i64,
    rating: i32,
) {
    let t = agora::models::now();
    diesel::insert_into(reviews::table)
        .values((
            reviews::listing_id.eq(listing_id),
            reviews::partner_id.eq(partner_id),
            reviews::consumer_id.eq(consumer_id),
            reviews::rating.eq(rating),
            reviews::body.eq("Fine."),
            reviews::created_at.eq(t),
            reviews::updated_at.eq(t),
        ))
        .execute(c)
        .unwrap();
}

fn insert_rated_ticket(
    c: &mut AnyConnection,
    number: i64,
    partner_id: i64,
    consumer_id: i64,
    rating: i32,
) {
    let t = agora::models::now();
    diesel::insert_into(tickets::table)
        .values((
            tickets::number.eq(number),
            tickets::requester_id.eq(consumer_id),
            tickets::partner_id.eq(Some(partner_id)),
            tickets::subject.eq("Rated"),
            tickets::status.eq("resolved"),
            tickets::priority.eq("normal"),
            tickets::paused_minutes.eq(0),
            tickets::satisfaction_rating.eq(Some(rating)),
            tickets::resolved_at.eq(Some(t)),
            tickets::last_activity_at.eq(t),
            tickets::created_at.eq(t),
            tickets::updated_at.eq(t),
        ))
        .execute(c)
        .unwrap();
}

/// The stored score row: (last, frequency, satisfaction, r, f, s, segment).
fn stored(
    c: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> Option<(PrimitiveDateTime, i32, i32, i32, i32, i32, String)> {
    customer_scores::table
        .find((partner_id, consumer_id))
        .select((
            customer_scores::last_activity_at,
            customer_scores::frequency,
            customer_scores::satisfaction,
            customer_scores::r_score,
            customer_scores::f_score,
            customer_scores::s_score,
            customer_scores::segment,
        ))
        .first(c)
        .optional()
        .unwrap()
}

/// The next page's address from the pager, as the browser would follow it.
fn next_link(body: &str) -> Option<String> {
    let marker = "rel=\"next\" href=\"";
    let start = body.find(marker)? + marker.len();
    let href = body[start..].split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

/// The customer ids linked from a list page, in order.
fn customer_ids(body: &str, base: &str) -> Vec<i64> {
    let marker = format!("href=\"{base}/");
    body.match_indices(&marker)
        .filter_map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty() && rest[digits.len()..].starts_with('"'))
                .then(|| digits.parse().unwrap())
        })
        .collect()
}

/// Follows `rel="next"` from `first` to the end; returns every id seen on
/// the way (in order) and the number of pages.
async fn walk(
    app: &TestApp,
    p: &Person,
    first: &str,
    base: &str,
) -> (Vec<i64>, usize, Vec<String>) {
    let mut url = first.to_string();
    let (mut ids, mut pages, mut urls) = (Vec::new(), 0, Vec::new());
    loop {
        let page = get(app, p, &url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        let found = customer_ids(&page.body, base);
        assert!(!found.is_empty(), "an empty page at {url}");
        ids.extend(found);
        pages += 1;
        urls.push(url.clone());
        match next_link(&page.body) {
            Some(next) => url = next,
            None => break,
        }
        assert!(pages < 1000, "the pager never ends");
    }
    (ids, pages, urls)
}

fn assert_each_once(seen: &[i64], expected: &HashSet<i64>) {
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a customer was shown twice");
    assert_eq!(&unique, expected, "customers were skipped");
}

async fn scores_follow_the_segment_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("rules@example.com", "Rules Owner").await;
    let (pid, pslug) = app.partner("Rules Co", &owner).await;
    let (lid, _) = app.listing(pid, "Window cleaning", "Clean.", true).await;
    // Five consenting customers with figures chosen so that every score
    // can be worked out by hand, and one who does not consent.
    let ids = app
        .db(move |c| {
            let now = agora::models::now();
            // `days` ago, an hour more so whole days come out exactly.
            let ago = |days: i64| now - Duration::days(days) - Duration::hours(1);
            let mut ids = Vec::new();
            let people: [(&str, &[i64]); 6] = [
                ("ada", &[1, 2, 3, 4, 5, 200]),
                ("ben", &[10, 11, 12, 13, 200]),
                ("cy", &[40, 41, 42, 200]),
                ("dot", &[120, 300]),
                ("eve", &[2, 5]),
                ("fay", &[0, 0, 0, 1, 1, 1, 2, 2]),
            ];
            for (name, days) in people {
                let id = insert_consumer(c, &format!("{name}@example.com"), name);
                let consent = name != "fay";
                insert_engagement(c, lid, pid, id, consent, ago(*days.last().unwrap()));
                for d in days {
                    insert_activity(c, pid, id, "engaged", ago(*d));
                }
                ids.push(id);
            }
            insert_review(c, lid, pid, ids[0], 5);
            insert_rated_ticket(c, 5001, pid, ids[1], 4);
            insert_review(c, lid, pid, ids[4], 2);
            insert_review(c, lid, pid, ids[5], 1);
            assert_eq!(crm::refresh_scores(c, pid).unwrap(), 5);
            ids
        })
        .await;
    let rows = app
        .db({
            let ids = ids.clone();
            move |c| ids.iter().map(|id| stored(c, pid, *id)).collect::<Vec<_>>()
        })
        .await;
    // Recency ranks dot < cy < ben < eve < ada; frequency dot (0) < eve (2)
    // < cy (3) < ben (4) < ada (5); satisfaction eve (2) < cy = dot (no
    // rating: 3, sharing the middle score) < ben (4) < ada (5).
    let expected: [(i32, i32, i32, i32, i32, Segment); 5] = [
        (5, 500, 5, 5, 5, Segment::Champions),
        (4, 400, 3, 4, 4, Segment::Loyal),
        (3, 0, 2, 3, 3, Segment::AtRisk),
        (0, 0, 1, 1, 3, Segment::Hibernating),
        (2, 200, 4, 2, 1, Segment::New),
    ];
    for (i, (freq, sat, r, f, s, seg)) in expected.iter().enumerate() {
        let row = rows[i].clone().expect("a score row");
        assert_eq!(
            (row.1, row.2, row.3, row.4, row.5, row.6.as_str()),
            (*freq, *sat, *r, *f, *s, seg.code()),
            "customer {i}"
        );
    }
    assert!(
        rows[5].is_none(),
        "no score for someone who does not consent"
    );
    // The same as the pure rules give for these inputs.
    let inputs = [
        (1, 5, Some(500), 200),
        (10, 4, Some(400), 200),
        (40, 3, None, 200),
        (120, 0, None, 300),
        (2, 2, Some(200), 5),
    ]
    .map(
        |(recency_days, frequency, satisfaction, first_days)| Inputs {
            recency_days,
            frequency,
            satisfaction,
            first_days,
        },
    );
    for (i, s) in segments::score(&inputs).iter().enumerate() {
        assert_eq!(s.segment, expected[i].5);
        assert_eq!(
            (s.r as i32, s.f as i32, s.s as i32),
            (expected[i].2, expected[i].3, expected[i].4)
        );
    }
    // The page shows them, with the segment filter done in SQL.
    let base = format!("/partner/{pslug}/customers");
    let list = get(&app, &owner, &base).await;
    list.assert_contains("Matching customers: 5");
    list.assert_contains("R5 F5 S5");
    list.assert_contains("Scores as of");
    assert!(!list.body.contains("fay@example.com"));
    let at_risk = get(&app, &owner, &format!("{base}?segment=at-risk")).await;
    assert_eq!(customer_ids(&at_risk.body, &base), vec![ids[2]]);
    // Sorted by rating, then by id among equals.
    let by_rating = get(&app, &owner, &format!("{base}?sort=satisfied")).await;
    let mut tied = [ids[2], ids[3]];
    tied.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        customer_ids(&by_rating.body, &base),
        vec![ids[0], ids[1], ids[4], tied[0], tied[1]]
    );
    let inactive = get(&app, &owner, &format!("{base}?sort=inactive")).await;
    assert_eq!(
        customer_ids(&inactive.body, &base),
        vec![ids[3], ids[2], ids[1], ids[4], ids[0]]
    );
    let search = get(&app, &owner, &format!("{base}?q=BEN%40")).await;
    assert_eq!(customer_ids(&search.body, &base), vec![ids[1]]);
    // A wildcard typed in the search is only a character.
    get(&app, &owner, &format!("{base}?q=%25"))
        .await
        .assert_contains("Matching customers: 0");
}
both!(scores_follow_the_segment_rules);

async fn withdrawal_hides_a_customer_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("wd@example.com", "Wd Owner").await;
    let (pid, pslug) = app.partner("Wd Co", &owner).await;
    let (_, lslug) = app.listing(pid, "Gutter repair", "Fix.", true).await;
    let gil = app.person("gil@example.com", "Gil Going").await;
    let hal = app.person("hal@example.com", "Hal Staying").await;
    for p in [&gil, &hal] {
        app.post_with(
            &p.client,
            &format!("/listings/{lslug}/engage"),
            &[("consent", "yes")],
        )
        .await;
    }
    let base = format!("/partner/{pslug}/customers");
    let gil_page = format!("{base}/{}", gil.id);
    // The first visit computes the scores.
    let list = get(&app, &owner, &base).await;
    list.assert_contains("gil@example.com");
    get(&app, &owner, &gil_page)
        .await
        .assert_contains("Gil Going");
    app.post_with(
        &owner.client,
        &format!("{gil_page}/tags"),
        &[("tag", "vip")],
    )
    .await;

    app.post_with(&gil.client, &format!("/me/privacy/{pid}/withdraw"), &[])
        .await;
    let gid = gil.id;
    assert!(
        app.db(move |c| stored(c, pid, gid)).await.is_some(),
        "the score row is still there until the next refresh"
    );
    let list = get(&app, &owner, &base).await;
    assert!(!list.body.contains("gil@example.com"));
    list.assert_contains("hal@example.com");
    list.assert_contains("Matching customers: 1");
    for filtered in ["?tag=vip", "?q=gil", "?segment=new", "?sort=frequent"] {
        let page = get(&app, &owner, &format!("{base}{filtered}")).await;
        assert!(!page.body.contains("gil@example.com"), "{filtered}");
    }
    assert_eq!(
        get(&app, &owner, &gil_page).await.status,
        StatusCode::NOT_FOUND
    );
    let csv = get(&app, &owner, &format!("/partner/{pslug}/customers.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(!csv.body.contains("gil@example.com"), "{}", csv.body);
    assert!(csv.body.contains("hal@example.com"));
    // The next refresh drops the row; consenting again brings Gil back.
    app.db(move |c| crm::refresh_scores(c, pid).unwrap()).await;
    assert!(app.db(move |c| stored(c, pid, gid)).await.is_none());
    app.post_with(&gil.client, &format!("/me/privacy/{pid}/give"), &[])
        .await;
    let back = get(&app, &owner, &gil_page).await;
    assert_eq!(back.status, StatusCode::OK);
    back.assert_contains("Not scored yet");
    let due = app.db(move |c| crm::due(c, 10).unwrap()).await;
    assert!(due.contains(&pid), "consenting again is new activity");
    app.db(move |c| crm::refresh_due(c, 10).unwrap()).await;
    get(&app, &owner, &base)
        .await
        .assert_contains("gil@example.com");
    assert!(
        !app.db(move |c| crm::due(c, 10).unwrap())
            .await
            .contains(&pid)
    );
}
both!(withdrawal_hides_a_customer_at_once);

/// A partner with `n` consenting customers made directly in the database:
/// activity times repeat (every seven customers share one) so the seek has
/// ties to break, and one customer has a long timeline.
async fn crowd(app: &TestApp, owner: &Person, n: usize) -> (i64, String, HashSet<i64>, i64) {
    let (pid, pslug) = app.partner("Crowd Co", owner).await;
    let (lid, _) = app.listing(pid, "Dog walking", "Walks.", true).await;
    let (ids, busy) = app
        .db(move |c| {
            let now = agora::models::now();
            let fill = |c: &mut AnyConnection| {
                let mut ids = Vec::new();
                for i in 0..n {
                    let id = insert_consumer(c, &format!("c{i}@crowd.example"), &format!("C {i}"));
                    let at = now - Duration::hours((i / 7) as i64);
                    insert_engagement(c, lid, pid, id, true, at);
                    for k in 0..(i % 4) {
                        insert_activity(c, pid, id, "engaged", at - Duration::days(k as i64));
                    }
                    insert_activity(c, pid, id, "engaged", at);
                    ids.push(id);
                }
                let busy = ids[0];
                for k in 0..120 {
                    insert_activity(c, pid, busy, "note_added", now - Duration::minutes(k));
                }
                Ok::<_, diesel::result::Error>((ids, busy))
            };
            c.transaction(fill).unwrap()
        })
        .await;
    (pid, pslug, ids.into_iter().collect(), busy)
}

async fn paging_walks_every_customer_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("crowd@example.com", "Crowd Owner").await;
    // Past the 20 numbered pages of 50.
    let n = 23 * crm::PAGE_SIZE - 17;
    let (_, pslug, ids, busy) = crowd(&app, &owner, n).await;
    let base = format!("/partner/{pslug}/customers");
    let first = get(&app, &owner, &base).await;
    first.assert_contains(&format!(
        "Matching customers: {}",
        agora::i18n::Lang::En.number(n as i64)
    ));
    first.assert_contains("Page 1 of 23");
    for sort in ["recent", "inactive", "frequent", "satisfied"] {
        let (seen, pages, urls) = walk(&app, &owner, &format!("{base}?sort={sort}"), &base).await;
        assert_eq!(pages, 23, "{sort}");
        assert_each_once(&seen, &ids);
        assert!(urls[19].contains("page=20"), "{:?}", urls[19]);
        assert!(
            urls[20].contains("after="),
            "cursors past page 20: {}",
            urls[20]
        );
        assert!(urls[22].contains("sort=") && urls[22].contains("after="));
    }
    // With a filter too.
    app.post_with(
        &owner.client,
        &format!("{base}/{busy}/tags"),
        &[("tag", "busy")],
    )
    .await;
    let (seen, pages, _) = walk(&app, &owner, &format!("{base}?tag=busy"), &base).await;
    assert_eq!((seen, pages), (vec![busy], 1));

    // The busy customer's timeline: 120 notes and one request, 50 a page.
    let mut url = format!("{base}/{busy}");
    let mut entries = 0;
    let mut pages = 0;
    loop {
        let page = get(&app, &owner, &url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        entries += page.body.matches("<li class=\"message\">").count();
        pages += 1;
        match next_link(&page.body) {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!((entries, pages), (121, 3));
    let deep = get(&app, &owner, &format!("{base}/{busy}?page=999")).await;
    assert_eq!(deep.status, StatusCode::OK);
}
both!(paging_walks_every_customer_once);

async fn csv_streams_every_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("csv@example.com", "Csv Owner").await;
    // More than two reads of the export's batch size.
    let n = 2 * crm::EXPORT_BATCH as usize + 37;
    let (_, pslug, ids, _) = crowd(&app, &owner, n).await;
    let res = owner
        .client
        .get(app.url(&format!("/partner/{pslug}/customers.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("content-length").is_none(),
        "streamed, not sized up front"
    );
    let body = res.text().await.unwrap();
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("Your name,Email address,")
    );
    let emails: Vec<&str> = lines.map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(emails.len(), n);
    let unique: HashSet<&str> = emails.iter().copied().collect();
    assert_eq!(unique.len(), n);
    assert_eq!(ids.len(), n);
    assert!(unique.contains("c0@crowd.example"));
    assert!(unique.contains(format!("c{}@crowd.example", n - 1).as_str()));
    // Filters apply to the export as to the page.
    let few = get(
        &app,
        &owner,
        &format!("/partner/{pslug}/customers.csv?q=c1%40"),
    )
    .await;
    assert_eq!(few.body.lines().count(), 2, "{}", few.body);
}
both!(csv_streams_every_row);

async fn conversion_waits_for_enough_views(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("conv@example.com", "Conv Owner").await;
    let (pid, pslug) = app.partner("Conv Co", &owner).await;
    // Views spread over many listings, joined rather than listed.
    let mut listings = Vec::new();
    for i in 0..19 {
        listings.push(app.listing(pid, &format!("Service {i}"), "x", true).await.0);
    }
    let consumer = app.person("cc@example.com", "Cc").await;
    let set_views = |per_listing: Vec<(i64, i32)>| {
        app.db(move |c| {
            diesel::delete(listing_views::table).execute(c).unwrap();
            let today = agora::models::now().date();
            for (lid, v) in per_listing {
                diesel::insert_into(listing_views::table)
                    .values((
                        listing_views::listing_id.eq(lid),
                        listing_views::day.eq(today.to_string()),
                        listing_views::views.eq(v),
                    ))
                    .execute(c)
                    .unwrap();
            }
            // An old view outside the period does not count.
            diesel::insert_into(listing_views::table)
                .values((
                    listing_views::listing_id.eq(per_listing_first(c, pid)),
                    listing_views::day.eq((today - Duration::days(31)).to_string()),
                    listing_views::views.eq(1000),
                ))
                .execute(c)
                .unwrap();
        })
    };
    let (lid, lslug) = app.listing(pid, "Main service", "x", true).await;
    app.post_with(
        &consumer.client,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    set_views(listings.iter().map(|l| (*l, 1)).collect()).await;
    let page = get(&app, &owner, &format!("/partner/{pslug}")).await;
    page.assert_contains("<span class=\"stat\">19</span> views in the last 30 days");
    page.assert_contains("not enough views yet (fewer than 20)");
    let mut more: Vec<(i64, i32)> = listings.iter().map(|l| (*l, 1)).collect();
    more.push((lid, 1));
    set_views(more).await;
    let page = get(&app, &owner, &format!("/partner/{pslug}")).await;
    page.assert_contains("<span class=\"stat\">20</span> views in the last 30 days");
    page.assert_contains("<span class=\"stat\">5 %</span> of views became requests");
    // The figures say it; the per-day chart below still has too few views
    // on each day.
    let figures = &page.body[..page.body.find("class=\"trends\"").unwrap()];
    assert!(!figures.contains("not enough views"));
}
both!(conversion_waits_for_enough_views);

fn per_listing_first(c: &mut AnyConnection, partner_id: i64) -> i64 {
    use agora::schema::listings;
    listings::table
        .filter(listings::partner_id.eq(partner_id))
        .order(listings::id.asc())
        .select(listings::id)
        .first(c)
        .unwrap()
}

async fn another_partners_customer_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("mine@example.com", "Mine Owner").await;
    let rival = app.person("rival@example.com", "Rival Owner").await;
    let (pid, pslug) = app.partner("Mine Co", &owner).await;
    let (_, rslug) = app.partner("Rival Co", &rival).await;
    let (_, lslug) = app.listing(pid, "Tiling", "Tiles.", true).await;
    let ivy = app.person("ivy@example.com", "Ivy").await;
    app.post_with(
        &ivy.client,
        &format!("/listings/{lslug}/engage"),
        &[("consent", "yes")],
    )
    .await;
    get(&app, &owner, &format!("/partner/{pslug}/customers"))
        .await
        .assert_contains("ivy@example.com");
    // Ivy is scored for Mine Co; Rival Co sees nothing of her.
    let theirs = format!("/partner/{rslug}/customers");
    let list = get(&app, &rival, &theirs).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("ivy@example.com"));
    for path in [
        format!("{theirs}/{}", ivy.id),
        format!("{theirs}/{}?page=2", ivy.id),
    ] {
        assert_eq!(get(&app, &rival, &path).await.status, StatusCode::NOT_FOUND);
    }
    let note = app
        .post_with(
            &rival.client,
            &format!("{theirs}/{}/notes", ivy.id),
            &[("body", "mine now")],
        )
        .await;
    assert_eq!(note.status, StatusCode::NOT_FOUND);
    let csv = get(&app, &rival, &format!("/partner/{rslug}/customers.csv")).await;
    assert!(!csv.body.contains("ivy@example.com"));
    // Nor does the rival reach Mine Co's pages.
    for path in [
        format!("/partner/{pslug}/customers"),
        format!("/partner/{pslug}/customers/{}", ivy.id),
        format!("/partner/{pslug}/customers.csv"),
        format!("/partner/{pslug}"),
    ] {
        assert_eq!(
            get(&app, &rival, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
both!(another_partners_customer_is_not_found);
