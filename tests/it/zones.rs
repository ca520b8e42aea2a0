//! Time zones: each person reads every time on their own clock with the
//! zone named; business hours keep their own IANA zone across summer time.

use reqwest::StatusCode;
use time::PrimitiveDateTime;

use crate::both;
use crate::helpers::{Backend, Person, TestApp, open_ticket, spawn_app};

async fn choose_zone(app: &TestApp, who: &Person, name: &str, zone: &str) {
    let page = app
        .post_with(
            &who.client,
            "/me/profile",
            &[
                ("display_name", name),
                ("locale", "en"),
                ("time_zone", zone),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// `utc` on a clock `minutes` ahead of UTC, as the pages write it.
fn on_clock(utc: PrimitiveDateTime, minutes: i64, label: &str) -> String {
    let t = utc + time::Duration::minutes(minutes);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}, {:02}:{:02} {label}",
        t.day(),
        months[u8::from(t.month()) as usize - 1],
        t.year(),
        t.hour(),
        t.minute()
    )
}

async fn two_people_read_one_ticket_on_their_own_clocks(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("tz-consumer@example.com", "Uma").await;
    let agent = app.staff("tz-agent@example.com", "Wei").await;
    // A zone not in the list is refused with the form kept.
    let bad = app
        .post_with(
            &consumer.client,
            "/me/profile",
            &[("display_name", "Uma"), ("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Choose a time zone from the list.");
    bad.assert_contains("value=\"Mars/Olympus\" selected");

    choose_zone(&app, &consumer, "Uma", "Asia/Kolkata").await;
    choose_zone(&app, &agent, "Wei", "Asia/Shanghai").await;
    let number = open_ticket(&app, &consumer, "Clock check", "", "normal").await;
    let path = format!("/me/tickets/{number}");
    let created = app
        .db(move |c| {
            agora::models::tickets::by_number(c, number)
                .unwrap()
                .unwrap()
                .created_at
        })
        .await;
    // Kolkata is UTC+05:30 all year, Shanghai UTC+08:00.
    let in_kolkata = on_clock(created, 330, "IST");
    let in_shanghai = on_clock(created, 480, "CST");
    let mine = app.get_with(&consumer.client, &path).await;
    mine.assert_contains(&in_kolkata);
    assert!(!mine.body.contains(&in_shanghai));
    let desk = app
        .get_with(&agent.client, &format!("/desk/tickets/{number}"))
        .await;
    desk.assert_contains(&in_shanghai);
    assert!(!desk.body.contains(&in_kolkata));
    // One page, two readers: a review's time on the listing page.
    let owner = app.person("tz-owner@example.com", "Otto").await;
    let (pid, _) = app.partner("Clockworks", &owner).await;
    let (_, listing) = app.listing(pid, "Clock repair", "Gears.", true).await;
    for (path, fields) in [
        (format!("/listings/{listing}/engage"), vec![]),
        (
            format!("/listings/{listing}/review"),
            vec![("rating", "5"), ("body", "On time.")],
        ),
    ] {
        let page = app.post_with(&consumer.client, &path, &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let reviewed = app
        .db(|c| {
            use agora::schema::reviews::dsl::*;
            use diesel::prelude::*;
            reviews
                .select(created_at)
                .first::<PrimitiveDateTime>(c)
                .unwrap()
        })
        .await;
    let path = format!("/listings/{listing}");
    let hers = app.get_with(&consumer.client, &path).await;
    let his = app.get_with(&agent.client, &path).await;
    hers.assert_contains(&on_clock(reviewed, 330, "IST"));
    his.assert_contains(&on_clock(reviewed, 480, "CST"));
    assert!(!his.body.contains(&on_clock(reviewed, 330, "IST")));

    // The profile keeps the choice; the platform's zone is the default.
    app.get_with(&agent.client, "/me/profile")
        .await
        .assert_contains("value=\"Asia/Shanghai\" selected");
    choose_zone(&app, &agent, "Wei", "").await;
    let desk = app
        .get_with(&agent.client, &format!("/desk/tickets/{number}"))
        .await;
    desk.assert_contains(&on_clock(created, 0, "UTC"));
}
both!(two_people_read_one_ticket_on_their_own_clocks);

async fn business_hours_keep_their_zone_across_summer_time(backend: Backend) {
    use time::macros::datetime;
    let app = spawn_app(backend).await;
    let admin = app.admin("tz-admin@example.com").await;
    let mut fields = vec![
        ("first_urgent", "1"),
        ("resolution_urgent", "4"),
        ("first_high", "2"),
        ("resolution_high", "8"),
        ("first_normal", "2"),
        ("resolution_normal", "24"),
        ("first_low", "24"),
        ("resolution_low", "168"),
        (
            "schedule",
            "09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,closed,closed",
        ),
    ];
    fields.push(("time_zone", "Europe/Berlin"));
    let page = app.post_with(&admin.client, "/admin/sla", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.get_with(&admin.client, "/admin/sla")
        .await
        .assert_contains("value=\"Europe/Berlin\" selected");
    let cfg = app
        .db(|c| agora::models::tickets::sla_config(c).unwrap())
        .await;
    let (first, _) = cfg.targets(agora::domain::ticket::Priority::Normal);
    assert_eq!(first, 120);
    // Opened Friday 27 March 2026, 15:00 UTC (16:00 in Berlin, winter
    // time): one business hour that day; clocks go forward on Sunday, so
    // Monday opens at 07:00 UTC and the answer is due at 08:00 UTC.
    let opened = datetime!(2026-03-27 15:00);
    let due = agora::domain::sla::due_at(&cfg.hours, opened, first, 0);
    assert_eq!(due, datetime!(2026-03-30 08:00));
    // And back in October: Friday 23rd 14:00 UTC is 16:00 summer time;
    // Monday 26th opens at 08:00 UTC.
    let due = agora::domain::sla::due_at(&cfg.hours, datetime!(2026-10-23 14:00), first, 0);
    assert_eq!(due, datetime!(2026-10-26 09:00));
    // Hours kept as a fixed offset before zones had names still read so.
    app.db(|c| {
        use agora::schema::business_hours::dsl::*;
        use diesel::prelude::*;
        diesel::update(business_hours.find(1))
            .set((time_zone.eq(None::<String>), utc_offset_minutes.eq(60)))
            .execute(c)
            .unwrap();
    })
    .await;
    let cfg = app
        .db(|c| agora::models::tickets::sla_config(c).unwrap())
        .await;
    let due = agora::domain::sla::due_at(&cfg.hours, opened, first, 0);
    assert_eq!(due, datetime!(2026-03-30 09:00));
}
both!(business_hours_keep_their_zone_across_summer_time);

async fn signing_up_keeps_the_browsers_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/signup")
        .await
        .assert_contains("name=\"time_zone\" value=\"\" data-zone-auto");
    for (email, zone, kept) in [
        (
            "tz-new@example.com",
            "America/Sao_Paulo",
            Some("America/Sao_Paulo"),
        ),
        ("tz-odd@example.com", "Nowhere/Special", None),
    ] {
        let page = app
            .post(
                "/signup",
                &[
                    ("email", email),
                    ("display_name", "Newcomer"),
                    ("password", "a long enough secret"),
                    ("time_zone", zone),
                ],
            )
            .await;
        page.assert_contains("Check your email");
        let mail = email.to_string();
        let saved = app
            .db(move |c| {
                agora::models::users::by_email(c, &mail)
                    .unwrap()
                    .unwrap()
                    .time_zone
            })
            .await;
        assert_eq!(saved.as_deref(), kept);
    }
}
both!(signing_up_keeps_the_browsers_zone);
