//! Sign-in throttling (slowed per account, never locked for a known
//! browser, a separate per-address limit, atomic under parallel guesses),
//! the client address behind proxies, and the rate limits of actions that
//! send email or make work for others.

use std::time::Duration;

use agora::config::{Rule, Settings};
use diesel::prelude::*;
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both;
use crate::helpers::{
    Backend, PASSWORD, Page, Person, TestApp, new_client, spawn_app_with, to_page,
};

const WRONG: &str = "not the password at all";
const SLOWED: &str = "Too many failed sign-ins to this account";
const NETWORK: &str = "Too many sign-in attempts from your network";
const LIMITED: &str = "You have done this too often in a short time";

/// Slow sign-ins down for a whole minute once 5 failures are used, so a
/// test sees the wait and never outlives it.
fn minute_waits(s: &mut Settings) {
    s.login_max_failures = 5;
    s.login_delay = Duration::from_secs(60);
}

fn rule(limit: i64) -> Rule {
    Rule::per_hour(limit)
}

async fn post(app: &TestApp, p: &Person, path: &str, fields: &[(&str, &str)]) -> Page {
    app.post_with(&p.client, path, fields).await
}

/// The failures counted on a sign-in streak.
async fn streak(app: &TestApp, subject: &str) -> i64 {
    let subject = subject.to_string();
    app.db(move |c| agora::models::throttle::failures(c, &subject).unwrap())
        .await
}

/// The count of a rate counter's current window (0 when none).
async fn counted(app: &TestApp, action: &str, subject: &str) -> i64 {
    let (action, subject) = (action.to_string(), subject.to_string());
    app.db(move |c| {
        use agora::schema::rate_counters::dsl as rc;
        let n: Option<i32> = rc::rate_counters
            .filter(rc::action.eq(action))
            .filter(rc::subject.eq(subject))
            .select(diesel::dsl::max(rc::hits))
            .first(c)
            .unwrap();
        n.unwrap_or(0) as i64
    })
    .await
}

/// Statuses of `pages`, as (422s, 429s, others).
fn tally(pages: &[Page]) -> (usize, usize, usize) {
    let n = |s| pages.iter().filter(|p| p.status == s).count();
    let failed = n(StatusCode::UNPROCESSABLE_ENTITY);
    let limited = n(StatusCode::TOO_MANY_REQUESTS);
    (failed, limited, pages.len() - failed - limited)
}

/// A browser's cookie value, as its jar holds it.
fn cookie_of(app: &TestApp, jar: &reqwest::cookie::Jar, name: &str) -> Option<String> {
    use reqwest::cookie::CookieStore;
    let header = jar.cookies(&app.address.parse().unwrap())?;
    header
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_string))
}

async fn shared_address_typos_lock_no_one_else_out(backend: Backend) {
    let app = spawn_app_with(backend, minute_waits).await;
    for (email, name) in [
        ("ann@example.com", "Ann"),
        ("bea@example.com", "Bea"),
        ("cid@example.com", "Cid"),
    ] {
        app.create_user(email, name, PASSWORD, true).await;
    }
    // Ann mistypes again and again, from the office's one address.
    let (ann, _) = new_client();
    for i in 0..8 {
        let page = app.login_with(&ann, "ann@example.com", WRONG).await;
        if i < 5 {
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "try {i}");
            page.assert_contains("The email address or password is not right.");
        } else {
            assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "try {i}");
            page.assert_contains(SLOWED);
            page.assert_contains("value=\"ann@example.com\"");
        }
    }
    // Only her account waits (the waiting tries were not counted).
    assert_eq!(streak(&app, "email:ann@example.com").await, 5);
    let page = app.login_with(&ann, "ann@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Please try again in ");

    // Colleagues at the same address sign in as usual, typos and all.
    let (bea, _) = new_client();
    let page = app.login_with(&bea, "bea@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (cid, _) = new_client();
    for _ in 0..2 {
        let page = app.login_with(&cid, "cid@example.com", WRONG).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = app.login_with(&cid, "cid@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // The right password ends Cid's streak.
    assert_eq!(streak(&app, "email:cid@example.com").await, 0);
}
both!(shared_address_typos_lock_no_one_else_out);

async fn the_address_limit_counts_attempts_not_accounts(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        minute_waits(s);
        s.login_address_limit = 6;
    })
    .await;
    app.create_user("dan@example.com", "Dan", PASSWORD, true)
        .await;
    app.create_user("eve@example.com", "Eve", PASSWORD, true)
        .await;
    // Dan signs in once (an attempt too), then five guesses at five
    // accounts: six attempts from this address.
    let (dan, _) = new_client();
    let page = app.login_with(&dan, "dan@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.post_with(&dan, "/logout", &[]).await;
    let (guesser, _) = new_client();
    for i in 0..5 {
        let email = format!("nobody{i}@example.com");
        let page = app.login_with(&guesser, &email, WRONG).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(counted(&app, "login", "ip:127.0.0.1").await, 6);
    // The seventh is turned away, for any account, with the right password.
    let (other, _) = new_client();
    let page = app.login_with(&other, "eve@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(NETWORK);
    assert_eq!(counted(&app, "login", "ip:127.0.0.1").await, 6);
    // Dan's browser is known to his account and not held up by it.
    let page = app.login_with(&dan, "dan@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}
both!(the_address_limit_counts_attempts_not_accounts);

async fn an_attackers_failures_do_not_slow_the_owners_browser(backend: Backend) {
    let app = spawn_app_with(backend, minute_waits).await;
    let owner_id = app
        .create_user("olga@example.com", "Olga", PASSWORD, true)
        .await;
    let (olga, olga_jar) = new_client();
    let page = app.login_with(&olga, "olga@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let set: Vec<String> = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let device = set
        .iter()
        .find(|c| c.starts_with("agora_device="))
        .expect("a device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("Max-Age="),
        "{device}"
    );
    let remembered = cookie_of(&app, &olga_jar, "agora_device").unwrap();
    assert!(
        remembered.starts_with(&format!("{owner_id}.")),
        "{remembered}"
    );
    app.post_with(&olga, "/logout", &[]).await;

    // Someone else guesses at Olga's account until it is slowed down.
    let (attacker, _) = new_client();
    let mut statuses = Vec::new();
    for _ in 0..9 {
        statuses.push(app.login_with(&attacker, "olga@example.com", WRONG).await);
    }
    assert_eq!(tally(&statuses), (5, 4, 0));
    let page = app
        .login_with(&attacker, "olga@example.com", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);

    // Olga's own browser is not slowed, typo included.
    let page = app.login_with(&olga, "olga@example.com", WRONG).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.login_with(&olga, "olga@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(app.get_with(&olga, "/me").await.status, StatusCode::OK);
    // Her sign-in does not clear the attacker's streak.
    assert_eq!(streak(&app, "email:olga@example.com").await, 5);
    let page = app.login_with(&attacker, "olga@example.com", WRONG).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);

    // A device cookie with a bad signature, or naming another account,
    // is not trusted.
    let (forger, forger_jar) = new_client();
    let mut bad = remembered.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    forger_jar.add_cookie_str(
        &format!("agora_device={bad}; Path=/"),
        &app.address.parse().unwrap(),
    );
    let page = app.login_with(&forger, "olga@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let other_id = app
        .create_user("pia@example.com", "Pia", PASSWORD, true)
        .await;
    let renamed = remembered.replacen(&format!("{owner_id}."), &format!("{other_id}."), 1);
    let (forger, forger_jar) = new_client();
    forger_jar.add_cookie_str(
        &format!("agora_device={renamed}; Path=/"),
        &app.address.parse().unwrap(),
    );
    for _ in 0..5 {
        app.login_with(&attacker, "pia@example.com", WRONG).await;
    }
    let page = app.login_with(&forger, "pia@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}
both!(an_attackers_failures_do_not_slow_the_owners_browser);

/// Fires `n` sign-ins at once from one browser.
async fn guesses_at_once(app: &TestApp, n: usize, email: impl Fn(usize) -> String) -> Vec<Page> {
    let (client, _) = new_client();
    let token = app.csrf_with(&client).await;
    let sends = (0..n).map(|i| {
        let form = vec![
            ("csrf".to_string(), token.clone()),
            ("email".to_string(), email(i)),
            ("password".to_string(), WRONG.to_string()),
        ];
        let req = client.post(app.url("/login")).form(&form);
        async move { to_page(req.send().await.unwrap()).await }
    });
    join_all(sends).await
}

async fn parallel_guesses_never_pass_the_account_limit(backend: Backend) {
    let app = spawn_app_with(backend, minute_waits).await;
    app.create_user("quinn@example.com", "Quinn", PASSWORD, true)
        .await;
    let pages = guesses_at_once(&app, 20, |_| "quinn@example.com".into()).await;
    assert_eq!(tally(&pages), (5, 15, 0));
    assert_eq!(streak(&app, "email:quinn@example.com").await, 5);
    let failed = app
        .db(|c| {
            agora::models::audit::for_subject(c, "quinn@example.com")
                .unwrap()
                .into_iter()
                .filter(|e| e.action == agora::models::audit::LOGIN_FAILED)
                .count()
        })
        .await;
    assert_eq!(failed, 5, "only five passwords were checked");
    let (late, _) = new_client();
    let page = app.login_with(&late, "quinn@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}
both!(parallel_guesses_never_pass_the_account_limit);

async fn parallel_guesses_never_pass_the_address_limit(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        minute_waits(s);
        s.login_address_limit = 6;
    })
    .await;
    let pages = guesses_at_once(&app, 20, |i| format!("user{i}@example.com")).await;
    assert_eq!(tally(&pages), (6, 14, 0));
    assert!(
        pages
            .iter()
            .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
            .all(|p| p.body.contains(NETWORK))
    );
    assert_eq!(counted(&app, "login", "ip:127.0.0.1").await, 6);
}
both!(parallel_guesses_never_pass_the_address_limit);

async fn login_from(app: &TestApp, forwarded: &str, email: &str) -> Page {
    let (client, _) = new_client();
    let token = app.csrf_with(&client).await;
    let res = client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("csrf", token.as_str()),
            ("email", email),
            ("password", WRONG),
        ])
        .send()
        .await
        .unwrap();
    to_page(res).await
}

async fn the_client_address_is_read_from_the_right_of_forwarded_for(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.trust_forwarded_for = true;
        s.trusted_proxies = 1;
        s.login_address_limit = 3;
    })
    .await;
    // The client writes whatever it likes on the left; the proxy appends
    // the address it saw.
    for i in 0..3 {
        let page = login_from(
            &app,
            &format!("10.9.{i}.1, 198.51.100.7"),
            &format!("a{i}@example.com"),
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = login_from(&app, "203.0.113.99, 198.51.100.7", "a9@example.com").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(NETWORK);
    // Another client behind the same proxy has its own count.
    let page = login_from(&app, "198.51.100.7, 198.51.100.8", "b@example.com").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(counted(&app, "login", "ip:198.51.100.7").await, 3);
    assert_eq!(counted(&app, "login", "ip:198.51.100.8").await, 1);
    let ip = app
        .db(|c| {
            agora::models::audit::for_subject(c, "a0@example.com")
                .unwrap()
                .pop()
                .unwrap()
                .ip
        })
        .await;
    assert_eq!(ip.as_deref(), Some("198.51.100.7"));
}
both!(the_client_address_is_read_from_the_right_of_forwarded_for);

async fn tickets(app: &TestApp, requester: i64) -> i64 {
    app.db(move |c| {
        use agora::schema::tickets::dsl as t;
        t::tickets
            .filter(t::requester_id.eq(requester))
            .count()
            .get_result(c)
            .unwrap()
    })
    .await
}

async fn opening_tickets_is_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.tickets.account = rule(3);
        s.limits.tickets.address = rule(5);
    })
    .await;
    let ray = app.person("ray@example.com", "Ray").await;
    // Five at once: only three are opened.
    let token = app.csrf_with(&ray.client).await;
    let sends = (0..5).map(|i| {
        let form = vec![
            ("csrf".to_string(), token.clone()),
            ("subject".to_string(), format!("Question {i}")),
            (
                "message".to_string(),
                "The walker did not come.".to_string(),
            ),
            ("priority".to_string(), "normal".to_string()),
        ];
        let req = ray.client.post(app.url("/me/tickets/new")).form(&form);
        async move { to_page(req.send().await.unwrap()).await }
    });
    let pages = join_all(sends).await;
    let opened = pages
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(opened, 3);
    assert_eq!(tickets(&app, ray.id).await, 3);
    // The next one shows the form as sent, with the reason.
    let page = post(
        &app,
        &ray,
        "/me/tickets/new",
        &[
            ("subject", "One more question"),
            ("message", "Still no walker <today>."),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"One more question\"");
    page.assert_contains("Still no walker &#60;today&#62;.");
    assert_eq!(tickets(&app, ray.id).await, 3);
    // An invalid form is still told what is wrong first (422).
    let page = post(
        &app,
        &ray,
        "/me/tickets/new",
        &[("subject", ""), ("message", "x"), ("priority", "normal")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only three confirmations went out.
    app.mail.wait_for("ray@example.com", 3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.mail.to("ray@example.com").len(), 3);
    // Someone else at the address has their own count, up to the
    // address's limit (five here).
    let sue = app.person("sue@example.com", "Sue").await;
    for i in 0..3 {
        let page = post(
            &app,
            &sue,
            "/me/tickets/new",
            &[
                ("subject", &format!("Sue {i}")),
                ("message", "Help."),
                ("priority", "normal"),
            ],
        )
        .await;
        let want = if i < 2 {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(page.status, want, "ticket {i}");
    }
    assert_eq!(tickets(&app, sue.id).await, 2);
}
both!(opening_tickets_is_limited);

/// The counters live in the database: two instances share one limit.
async fn limits_hold_across_instances(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.tickets.account = rule(3);
    })
    .await;
    let second = app.another_instance().await;
    let ivy = app.person("ivy@example.com", "Ivy").await;
    let token = app.csrf_with(&ivy.client).await;
    let sends = (0..8).map(|i| {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.address.clone()
        };
        let form = vec![
            ("csrf".to_string(), token.clone()),
            ("subject".to_string(), format!("Question {i}")),
            ("message".to_string(), "Both machines at once.".to_string()),
            ("priority".to_string(), "normal".to_string()),
        ];
        let req = ivy
            .client
            .post(format!("{base}/me/tickets/new"))
            .form(&form);
        async move { to_page(req.send().await.unwrap()).await }
    });
    let pages = join_all(sends).await;
    let opened = pages
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    let limited = pages
        .iter()
        .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((opened, limited), (3, 5));
    assert_eq!(tickets(&app, ivy.id).await, 3);
}
both!(limits_hold_across_instances);

async fn replies_are_limited_for_consumers_and_partners_not_staff(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.replies.account = rule(2);
    })
    .await;
    let owner = app.person("pat@example.com", "Pat Partner").await;
    let (pid, pslug) = app.partner("Walkies", &owner).await;
    let (_, lslug) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let tom = app.person("tom@example.com", "Tom").await;
    let page = post(
        &app,
        &tom,
        "/me/tickets/new",
        &[
            ("subject", "Walker missing"),
            ("message", "Nobody came."),
            ("priority", "normal"),
            ("listing", &lslug),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let number = page.headers["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let consumer_reply = format!("/me/tickets/{number}/reply");
    let partner_reply = format!("/partner/{pslug}/tickets/{number}/reply");
    for i in 0..2 {
        let body = format!("Consumer note {i}");
        let page = post(&app, &tom, &consumer_reply, &[("body", &body)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let body = format!("Partner note {i}");
        let page = post(&app, &owner, &partner_reply, &[("body", &body)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let page = post(&app, &tom, &consumer_reply, &[("body", "A third thought")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("A third thought");
    let page = post(&app, &owner, &partner_reply, &[("body", "Partner third")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("Partner third");
    let bodies = app
        .db(|c| {
            use agora::schema::ticket_messages::dsl as m;
            m::ticket_messages
                .select(m::body)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(!bodies.iter().any(|b| b.contains("third")), "{bodies:?}");

    // The desk answers as often as it needs to.
    let agent = app.person("sam@example.com", "Sam Staff").await;
    let agent_id = agent.id;
    app.db(move |c| agora::models::users::set_staff(c, agent_id, true).unwrap())
        .await;
    for i in 0..4 {
        let body = format!("Desk answer {i}");
        let page = post(
            &app,
            &agent,
            &format!("/desk/tickets/{number}/reply"),
            &[("body", &body), ("kind", "public"), ("seen", "999999999")],
        )
        .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
}
both!(replies_are_limited_for_consumers_and_partners_not_staff);

async fn requests_to_partners_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.requests.account = rule(1);
    })
    .await;
    let owner = app.person("pam@example.com", "Pam").await;
    let (pid, _) = app.partner("Walkies", &owner).await;
    let (_, first) = app.listing(pid, "Dog walks", "Walks.", true).await;
    let (_, second) = app.listing(pid, "Cat sitting", "Cats.", true).await;
    let uma = app.person("uma@example.com", "Uma").await;
    let page = post(
        &app,
        &uma,
        &format!("/listings/{first}/engage"),
        &[("message", "Mornings")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = post(
        &app,
        &uma,
        &format!("/listings/{second}/engage"),
        &[("message", "Evenings, 2 cats")],
    )
    .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("Evenings, 2 cats");
    let n: i64 = app
        .db(|c| {
            agora::schema::engagements::table
                .count()
                .get_result(c)
                .unwrap()
        })
        .await;
    assert_eq!(n, 1);
    // Asking again where she already asked mails no one and is not limited.
    let page = post(
        &app,
        &uma,
        &format!("/listings/{first}/engage"),
        &[("message", "")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}
both!(requests_to_partners_are_limited);

async fn invitations_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.invitations.account = rule(2);
    })
    .await;
    let owner = app.person("vic@example.com", "Vic").await;
    let (_, slug) = app.partner("Walkies", &owner).await;
    let path = format!("/partner/{slug}/team/invite");
    for i in 0..2 {
        let email = format!("helper{i}@example.com");
        let page = post(
            &app,
            &owner,
            &path,
            &[("email", &email), ("role", "member")],
        )
        .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let page = post(
        &app,
        &owner,
        &path,
        &[("email", "helper9@example.com"), ("role", "admin")],
    )
    .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"helper9@example.com\"");
    app.mail.wait_for("helper1@example.com", 1).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(app.mail.to("helper9@example.com").is_empty());
}
both!(invitations_are_limited);

async fn reset_and_verification_mails_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.resets.account = rule(2);
        s.limits.resets.address = rule(3);
        s.limits.resends.account = rule(1);
    })
    .await;
    app.create_user("wes@example.com", "Wes", PASSWORD, true)
        .await;
    app.create_user("xia@example.com", "Xia", PASSWORD, false)
        .await;
    let app = &app;
    let forgot = |email: &'static str| async move {
        app.post("/password/forgot", &[("email", email)]).await
    };
    for _ in 0..2 {
        let page = forgot("wes@example.com").await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let page = forgot("wes@example.com").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"wes@example.com\"");
    app.mail.wait_for("wes@example.com", 2).await;
    // An address without an account counts the same (nothing told), up to
    // the client address's limit.
    let page = forgot("nobody@example.com").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = forgot("someone@example.com").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.mail.to("wes@example.com").len(), 2);

    let page = app
        .post("/verify/resend", &[("email", "xia@example.com")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let page = app
        .post("/verify/resend", &[("email", "xia@example.com")])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"xia@example.com\"");
    app.mail.wait_for("xia@example.com", 1).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.mail.to("xia@example.com").len(), 1);
}
both!(reset_and_verification_mails_are_limited);

async fn signups_are_limited_per_address_asked_for_and_per_client(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.signups.account = rule(2);
        s.limits.signups.address = rule(3);
    })
    .await;
    app.create_user("vic@example.com", "Vic", PASSWORD, true)
        .await;
    let app = &app;
    let signup = |email: &'static str| async move {
        app.post(
            "/signup",
            &[
                ("email", email),
                ("display_name", "Someone Else"),
                ("password", "some long password"),
            ],
        )
        .await
    };
    // Someone signing up with Vic's address again and again mails Vic at
    // most twice.
    for _ in 0..2 {
        assert_eq!(signup("vic@example.com").await.status, StatusCode::OK);
    }
    let page = signup("vic@example.com").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"vic@example.com\"");
    page.assert_contains("value=\"Someone Else\"");
    app.mail.wait_for("vic@example.com", 2).await;
    // New addresses from the same client: up to the client's limit.
    assert_eq!(signup("new@example.com").await.status, StatusCode::OK);
    let page = signup("newer@example.com").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.mail.to("vic@example.com").len(), 2);
    assert!(app.mail.to("newer@example.com").is_empty());
    let made = app
        .db(|conn| {
            use agora::schema::users::dsl::*;
            use diesel::prelude::*;
            users
                .filter(email.eq("newer@example.com"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(made, 0);
}
both!(signups_are_limited_per_address_asked_for_and_per_client);

async fn partner_applications_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.applications.account = Rule::per_day(1);
    })
    .await;
    let yan = app.person("yan@example.com", "Yan").await;
    let apply = |name: &'static str| {
        let yan = &yan;
        let app = &app;
        async move {
            post(
                app,
                yan,
                "/partners/apply",
                &[
                    ("name", name),
                    ("website", "https://bikes.example"),
                    ("contact_email", "hello@bikes.example"),
                    ("description", "We fix bikes."),
                ],
            )
            .await
        }
    };
    assert_eq!(apply("Bike Doctors").await.status, StatusCode::OK);
    let page = apply("Bike Doctors Two").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains(LIMITED);
    page.assert_contains("value=\"Bike Doctors Two\"");
    page.assert_contains("We fix bikes.");
    let n: i64 = app
        .db(|c| {
            agora::schema::partners::table
                .count()
                .get_result(c)
                .unwrap()
        })
        .await;
    assert_eq!(n, 1);
    // A limit of 0 turns the rule off.
    let app = spawn_app_with(backend, |s| {
        s.limits.applications.account = Rule::per_day(0);
        s.limits.applications.address = Rule::per_day(0);
    })
    .await;
    let zoe = app.person("zoe@example.com", "Zoe").await;
    for name in ["A Bikes", "B Bikes", "C Bikes", "D Bikes"] {
        let page = post(
            &app,
            &zoe,
            "/partners/apply",
            &[
                ("name", name),
                ("website", "https://bikes.example"),
                ("contact_email", "hello@bikes.example"),
                ("description", "We fix bikes."),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
    }
}
both!(partner_applications_are_limited);

/// (rate counter rows, sign-in streak rows).
async fn throttle_rows(app: &TestApp) -> (i64, i64) {
    app.db(|c| {
        let a: i64 = agora::schema::rate_counters::table
            .count()
            .get_result(c)
            .unwrap();
        let b: i64 = agora::schema::login_throttle::table
            .count()
            .get_result(c)
            .unwrap();
        (a, b)
    })
    .await
}

async fn maintenance_purges_old_counters_and_streaks(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.limits.resets.account = rule(5);
    })
    .await;
    app.post("/password/forgot", &[("email", "old@example.com")])
        .await;
    let (c, _) = new_client();
    app.login_with(&c, "old@example.com", WRONG).await;
    // Two counters for the reset (email, address), one for the sign-in's
    // address, and the sign-in streak.
    assert_eq!(throttle_rows(&app).await, (3, 1));
    let options = agora::maintenance::PassOptions {
        session_absolute: time::Duration::days(14),
        recount_views: false,
        outbox_retention: time::Duration::days(30),
        webhook_retention: time::Duration::days(30),
    };
    app.db(move |c| agora::maintenance::run_pass(c, options).unwrap())
        .await;
    assert_eq!(throttle_rows(&app).await, (3, 1), "current rows stay");
    app.db(|c| {
        let past = agora::models::now() - time::Duration::minutes(1);
        diesel::update(agora::schema::rate_counters::table)
            .set(agora::schema::rate_counters::expires_at.eq(past))
            .execute(c)
            .unwrap();
        diesel::update(agora::schema::login_throttle::table)
            .set(agora::schema::login_throttle::expires_at.eq(past))
            .execute(c)
            .unwrap();
    })
    .await;
    app.db(move |c| agora::maintenance::run_pass(c, options).unwrap())
        .await;
    assert_eq!(throttle_rows(&app).await, (0, 0));
}
both!(maintenance_purges_old_counters_and_streaks);
