//! Two-step sign-in: set up with a code app (QR code and secret, a first
//! code), sign-in asking for a code, wrong and replayed codes refused,
//! recovery codes single-use, turning it off with password and code.

use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, PASSWORD, Page, TestApp, new_client, spawn_app};

/// The code a code app shows at `unix` for this base32 secret.
fn code_at(secret: &str, unix: u64) -> String {
    let t = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .with_account_name("test")
        .build()
        .unwrap();
    t.generate(unix).to_string()
}

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

fn secret_on(page: &Page) -> String {
    let start = page
        .body
        .find("class=\"secret-text\">")
        .unwrap_or_else(|| panic!("no secret on the page:\n{}", page.body))
        + 20;
    let end = start + page.body[start..].find('<').unwrap();
    page.body[start..end].to_string()
}

fn codes_on(page: &Page) -> Vec<String> {
    page.body
        .match_indices("<li><code>")
        .map(|(i, _)| {
            let s = i + 10;
            page.body[s..s + page.body[s..].find('<').unwrap()].to_string()
        })
        .collect()
}

/// Signs in with the password; returns the client and where it was sent.
async fn password_step(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let (client, _) = new_client();
    let page = app.login_with(&client, email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let to = page.headers["location"].to_str().unwrap().to_string();
    (client, to)
}

async fn enter(app: &TestApp, client: &reqwest::Client, code: &str) -> Page {
    app.post_with(client, "/login/code", &[("code", code)])
        .await
}

async fn two_step_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.person("two@example.com", "Tess Two").await;

    // Set up: QR code and secret; a wrong first code keeps it off.
    let page = app.get_with(&me.client, "/me/security").await;
    page.assert_contains("Two-step sign-in is off");
    let started = app
        .post_with(&me.client, "/me/security/two-step/start", &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let setup = app.get_with(&me.client, "/me/security").await;
    setup.assert_contains("<svg");
    let secret = secret_on(&setup);
    let wrong = app
        .post_with(
            &me.client,
            "/me/security/two-step/confirm",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("This code is not right");
    // One moment for every code below: the set-up's step, then the next.
    let t0 = now();
    let on = app
        .post_with(
            &me.client,
            "/me/security/two-step/confirm",
            &[("code", &code_at(&secret, t0))],
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    on.assert_contains("Your recovery codes");
    let recovery = codes_on(&on);
    assert_eq!(recovery.len(), 10, "{recovery:?}");
    let mail = app.mail.wait_for("two@example.com", 1).await;
    assert_eq!(mail.subject, "Two-step sign-in was turned on");

    // The password alone no longer signs in.
    let (client, to) = password_step(&app, "two@example.com").await;
    assert_eq!(to, "/login/code");
    assert_eq!(
        app.get_with(&client, "/me").await.status,
        StatusCode::SEE_OTHER,
        "signed in without the code"
    );
    let bad = enter(&app, &client, "123456").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The code the set-up took cannot be taken again either.
    let again = enter(&app, &client, &code_at(&secret, t0)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The next step's code signs in.
    let next = code_at(&secret, t0 + 30);
    let ok = enter(&app, &client, &next).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(app.get_with(&client, "/me").await.status, StatusCode::OK);
    // Replayed on another browser: refused.
    let (other, _) = password_step(&app, "two@example.com").await;
    assert_eq!(
        enter(&app, &other, &next).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A recovery code works once.
    let used = enter(&app, &other, &recovery[0].to_uppercase()).await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.body);
    let told = app
        .mail
        .wait_about("two@example.com", "A recovery code was used", 1)
        .await;
    assert!(
        told.text.contains("9 recovery codes are left"),
        "{}",
        told.text
    );
    let (third, _) = password_step(&app, "two@example.com").await;
    assert_eq!(
        enter(&app, &third, &recovery[0]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Without the cookie of a right password there is nothing to enter.
    let (stranger, _) = new_client();
    let res = app
        .post_with(&stranger, "/login/code", &[("code", "123456")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers["location"], "/login");

    // Turning it off asks for the password and a code.
    let no_code = app
        .post_with(
            &me.client,
            "/me/security/two-step/disable",
            &[("password", PASSWORD), ("code", "")],
        )
        .await;
    assert_eq!(no_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = app
        .post_with(
            &me.client,
            "/me/security/two-step/disable",
            &[("password", PASSWORD), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let (plain, to) = password_step(&app, "two@example.com").await;
    assert_ne!(to, "/login/code");
    assert_eq!(app.get_with(&plain, "/me").await.status, StatusCode::OK);
    let audited = app
        .db(|c| {
            use agora::schema::audit_events::dsl::*;
            use diesel::prelude::*;
            audit_events
                .filter(action.like("two_step%").or(action.like("recovery%")))
                .select(action)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    for a in [
        "two_step_enabled",
        "two_step_failed",
        "recovery_code_used",
        "two_step_disabled",
    ] {
        assert!(
            audited.iter().any(|x| x == a),
            "{a} not audited: {audited:?}"
        );
    }
}
both!(two_step_sign_in);

/// With `AGORA_REQUIRE_2FA_FOR_STAFF`, staff and admins are led to set up
/// two-step sign-in before the desk and the admin pages; a consumer is
/// not asked; once it is on, both open.
async fn staff_must_set_it_up(backend: Backend) {
    let app =
        crate::helpers::spawn_app_with(backend, |s| s.require_two_step_for_staff = true).await;
    let agent = app.person("two-agent@example.com", "Ada Agent").await;
    let admin = app.admin("two-admin@example.com").await;
    let consumer = app.person("two-cons@example.com", "Con Sumer").await;
    let id = agent.id;
    app.db(move |c| agora::models::users::set_staff(c, id, true).unwrap())
        .await;
    for (who, path) in [(&agent, "/desk"), (&admin, "/admin"), (&admin, "/desk")] {
        let page = app.get_with(&who.client, path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            page.headers["location"], "/me/security?required=1",
            "{path}"
        );
    }
    app.get_with(&agent.client, "/me/security?required=1")
        .await
        .assert_contains("Your role needs two-step sign-in");
    // A consumer is not staff: the desk is not found, as before.
    assert_eq!(
        app.get_with(&consumer.client, "/desk").await.status,
        StatusCode::NOT_FOUND
    );
    // Set up: the desk opens.
    app.post_with(&agent.client, "/me/security/two-step/start", &[])
        .await;
    let setup = app.get_with(&agent.client, "/me/security").await;
    let secret = secret_on(&setup);
    let on = app
        .post_with(
            &agent.client,
            "/me/security/two-step/confirm",
            &[("code", &code_at(&secret, now()))],
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(
        app.get_with(&agent.client, "/desk").await.status,
        StatusCode::OK
    );
}
both!(staff_must_set_it_up);

/// Turns two-step sign-in on for a signed-in person; returns the secret.
async fn enrol(app: &TestApp, who: &crate::helpers::Person) -> String {
    app.post_with(&who.client, "/me/security/two-step/start", &[])
        .await;
    let secret = secret_on(&app.get_with(&who.client, "/me/security").await);
    let on = app
        .post_with(
            &who.client,
            "/me/security/two-step/confirm",
            &[("code", &code_at(&secret, now()))],
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    secret
}

async fn a_new_browser_is_told_by_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.person("nb@example.com", "Nia").await;
    let zone = "Asia/Tokyo";
    let page = app
        .post_with(
            &me.client,
            "/me/profile",
            &[("display_name", "Nia"), ("time_zone", zone)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // The account's first sign-in (in `person`) sent nothing.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.mail.to("nb@example.com").is_empty());

    // Another browser: an alert, with the time on her clock.
    let (other, _) = new_client();
    let res = other
        .post(app.url("/login"))
        .header(
            "User-Agent",
            "Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
        .form(&[
            ("csrf", app.csrf_with(&other).await.as_str()),
            ("email", "nb@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mail = app.mail.wait_for("nb@example.com", 1).await;
    assert_eq!(mail.subject, "A new sign-in to your account");
    assert!(mail.text.contains("Firefox · Windows"), "{}", mail.text);
    assert!(mail.text.contains("127.0.0.1"), "{}", mail.text);
    assert!(mail.text.contains("JST"), "{}", mail.text);
    let audited = app
        .db(|c| {
            use agora::schema::audit_events::dsl::*;
            use diesel::prelude::*;
            audit_events
                .filter(action.eq("new_browser_sign_in"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(audited, 1);
    // The same browser again: nothing new.
    app.post_with(&other, "/logout", &[]).await;
    let page = app.login_with(&other, "nb@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mail.to("nb@example.com").len(), 1);
}
both!(a_new_browser_is_told_by_email);

async fn owners_may_require_it_of_their_team(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.person("req-owner@example.com", "Olga").await;
    let admin = app.person("req-admin@example.com", "Adam").await;
    let member = app.person("req-member@example.com", "Mo").await;
    let (pid, slug) = app.partner("Strict Ltd", &owner).await;
    app.add_member(pid, &admin, "admin").await;
    app.add_member(pid, &member, "member").await;
    let settings = format!("/partner/{slug}/settings/two-step");
    let required = || async {
        app.db(move |c| {
            agora::models::partners::by_id(c, pid)
                .unwrap()
                .unwrap()
                .require_two_step
        })
        .await
    };
    // Only owners may change it; an owner needs two steps of their own.
    let page = app
        .post_with(&admin.client, &settings, &[("required", "on")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = app
        .post_with(&owner.client, &settings, &[("required", "on")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!required().await);
    app.get_with(&owner.client, &format!("/partner/{slug}/settings"))
        .await
        .assert_contains("Turn on two-step sign-in for your own account first");
    enrol(&app, &owner).await;
    let page = app
        .post_with(&owner.client, &settings, &[("required", "on")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(required().await);

    // Members without it are led to set it up; the owner goes on.
    for who in [&member, &admin] {
        let page = app
            .get_with(&who.client, &format!("/partner/{slug}/listings"))
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.headers["location"], "/me/security?required=1");
    }
    let page = app
        .get_with(&owner.client, &format!("/partner/{slug}/listings"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    enrol(&app, &member).await;
    let page = app
        .get_with(&member.client, &format!("/partner/{slug}/listings"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // Turned off again (an unticked box), the admin is let in.
    let page = app.post_with(&owner.client, &settings, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!required().await);
    let page = app
        .get_with(&admin.client, &format!("/partner/{slug}/listings"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
}
both!(owners_may_require_it_of_their_team);
