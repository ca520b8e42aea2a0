use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, bare_client, new_client, spawn_app, spawn_app_with, without_tokens};

const PASSWORD: &str = "lantern ocean maple";

async fn signup_verify_login_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .post(
            "/signup",
            &[
                ("email", "Ann@Example.com"),
                ("display_name", "Ann Meyer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Check your email");

    let mail = app.mail.wait_for("ann@example.com", 1).await;
    assert_eq!(mail.subject, "Confirm your email address for Agora");
    assert!(mail.text.contains("Hello Ann Meyer"));
    assert!(mail.html.contains("Confirm my email address"));
    assert!(mail.message_id.contains('@'));
    assert!(mail.in_reply_to.is_none() && mail.references.is_none());
    assert!(mail.raw.contains("Auto-Submitted: auto-generated"));
    let link = mail.link(&app.url("/verify/"));

    // Not confirmed yet: the right password is not enough.
    let page = app
        .login_with(&app.client, "ann@example.com", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("confirm your email address first");

    let path = link.strip_prefix(&app.address).unwrap();
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Email address confirmed");
    // The link works once.
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("This link does not work");

    let page = app.login("ann@example.com", PASSWORD).await;
    assert_eq!(page.headers["location"], "/");
    let home = app.get("/").await;
    home.assert_contains("Signed in as Ann Meyer.");
    home.assert_contains("Welcome back, Ann Meyer.");
    let old_cookie = app.session_cookie();
    assert_eq!(app.get("/me").await.status, StatusCode::OK);

    let page = app.post("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let me = app.get("/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert_eq!(me.headers["location"], "/login?next=/me");

    // The cookie from before signing out is worth nothing now.
    let replay = app.get_with_cookie("/me", &old_cookie).await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
    let replay_home = app.get_with_cookie("/", &old_cookie).await;
    assert!(!replay_home.body.contains("Ann Meyer"));

    let actions = app
        .db(|conn| {
            agora::models::audit::for_subject(conn, "ann@example.com")
                .unwrap()
                .into_iter()
                .map(|e| e.action)
                .collect::<Vec<_>>()
        })
        .await;
    assert_eq!(actions, ["signup", "email_verified", "login", "logout"]);
}
both!(signup_verify_login_logout);

async fn signup_form_keeps_input_and_explains(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .post(
            "/signup",
            &[
                ("email", "not-an-email"),
                ("display_name", "Bo <b>Chen</b>"),
                ("password", "password1234"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Please correct the following");
    page.assert_contains("Enter an email address like name@example.com.");
    page.assert_contains("This password is too common.");
    page.assert_contains("value=\"not-an-email\"");
    // Kept, and escaped.
    page.assert_contains("value=\"Bo &#60;b&#62;Chen&#60;/b&#62;\"");
    let short = app
        .post(
            "/signup",
            &[
                ("email", "bo@example.com"),
                ("display_name", ""),
                ("password", "short"),
            ],
        )
        .await;
    short.assert_contains("at least 12 characters");
    short.assert_contains("Enter your name.");
    let n = app
        .db(|conn| {
            agora::models::users::by_email(conn, "bo@example.com")
                .unwrap()
                .is_none()
        })
        .await;
    assert!(n, "no account was made");
}
both!(signup_form_keeps_input_and_explains);

async fn password_change_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app
        .create_user("cy@example.com", "Cy", PASSWORD, true)
        .await;
    app.login("cy@example.com", PASSWORD).await;
    let (other, _) = new_client();
    let page = app.login_with(&other, "cy@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count_sessions(id).await, 2);
    let sessions = app.get("/me/sessions").await;
    sessions.assert_contains("You are signed in in 2 places.");
    sessions.assert_contains("This browser");

    let wrong = app
        .post(
            "/me/password",
            &[
                ("current", "not my password"),
                ("password", "a brand new secret"),
                ("confirm", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("The current password is not right.");

    let ok = app
        .post(
            "/me/password",
            &[
                ("current", PASSWORD),
                ("password", "a brand new secret"),
                ("confirm", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/me").await.status, StatusCode::OK);
    assert_eq!(
        app.get_with(&other, "/me").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count_sessions(id).await, 1);
    // (The second browser's sign-in was news too.)
    app.mail
        .wait_about("cy@example.com", "A new sign-in to your account", 1)
        .await;
    app.mail
        .wait_about("cy@example.com", "Your Agora password was changed", 1)
        .await;

    // The new password works, the old one does not.
    let (third, _) = new_client();
    assert_eq!(
        app.login_with(&third, "cy@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login_with(&third, "cy@example.com", "a brand new secret")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}
both!(password_change_ends_other_sessions);

async fn end_other_sessions_from_the_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app
        .create_user("di@example.com", "Di", PASSWORD, true)
        .await;
    app.login("di@example.com", PASSWORD).await;
    let (other, _) = new_client();
    app.login_with(&other, "di@example.com", PASSWORD).await;
    let page = app.post("/me/sessions/end-others", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.get("/me/sessions")
        .await
        .assert_contains("One other session was ended.");
    assert_eq!(
        app.get_with(&other, "/me").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count_sessions(id).await, 1);
    // Another person's session id is a 404.
    let page = app.post("/me/sessions/nosuchsession/end", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}
both!(end_other_sessions_from_the_list);

async fn password_reset_is_single_use_and_expires(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app
        .create_user("eve@example.com", "Eve", PASSWORD, true)
        .await;
    let (other, _) = new_client();
    app.login_with(&other, "eve@example.com", PASSWORD).await;
    assert_eq!(app.get_with(&other, "/me").await.status, StatusCode::OK);

    let page = app
        .post("/password/forgot", &[("email", "EVE@example.com")])
        .await;
    page.assert_contains("a link to reset the password is on its way");
    let mail = app.mail.wait_for("eve@example.com", 1).await;
    assert_eq!(mail.subject, "Reset your Agora password");
    let link = mail.link(&app.url("/password/reset/"));
    let path = link.strip_prefix(&app.address).unwrap().to_string();

    app.get(&path)
        .await
        .assert_contains("Choose a new password");
    let weak = app
        .post(&path, &[("password", "short"), ("confirm", "short")])
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_contains("at least 12 characters");
    let mismatch = app
        .post(
            &path,
            &[
                ("password", "river stone cloud"),
                ("confirm", "river stone clouds"),
            ],
        )
        .await;
    mismatch.assert_contains("The two passwords differ.");

    let done = app
        .post(
            &path,
            &[
                ("password", "river stone cloud"),
                ("confirm", "river stone cloud"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.headers["location"], "/login?reset=1");
    app.get("/login?reset=1")
        .await
        .assert_contains("signed out everywhere");
    // Every session ended, the other browser's too.
    assert_eq!(
        app.get_with(&other, "/me").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count_sessions(id).await, 0);

    // Single use.
    let again = app
        .post(
            &path,
            &[
                ("password", "another river stone"),
                ("confirm", "another river stone"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    again.assert_contains("This reset link does not work");
    app.login("eve@example.com", "river stone cloud").await;

    // An expired link does not work.
    let token = app
        .db(move |conn| {
            agora::models::tokens::issue(
                conn,
                id,
                agora::models::tokens::RESET,
                time::Duration::hours(1),
            )
            .unwrap()
        })
        .await;
    let t = token.clone();
    app.db(move |conn| {
        use agora::schema::email_tokens::dsl::*;
        use diesel::prelude::*;
        diesel::update(email_tokens.filter(token_hash.eq(agora::models::tokens::hash(&t))))
            .set(expires_at.eq(agora::models::now() - time::Duration::minutes(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let expired = app.get(&format!("/password/reset/{token}")).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
}
both!(password_reset_is_single_use_and_expires);

async fn no_account_enumeration(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("known@example.com", "Known", PASSWORD, true)
        .await;

    let known = app
        .post("/password/forgot", &[("email", "known@example.com")])
        .await;
    let unknown = app
        .post("/password/forgot", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(without_tokens(&known.body), without_tokens(&unknown.body));

    let wrong_password = app
        .login_with(&app.client, "known@example.com", "wrong password here")
        .await;
    let unknown_email = app
        .login_with(&app.client, "nobody@example.com", "wrong password here")
        .await;
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(
        without_tokens(&wrong_password.body).replace("known@example.com", "X"),
        without_tokens(&unknown_email.body).replace("nobody@example.com", "X")
    );

    let existing = app
        .post(
            "/signup",
            &[
                ("email", "known@example.com"),
                ("display_name", "Someone"),
                ("password", "some long password"),
            ],
        )
        .await;
    let fresh = app
        .post(
            "/signup",
            &[
                ("email", "fresh@example.com"),
                ("display_name", "Someone"),
                ("password", "some long password"),
            ],
        )
        .await;
    assert_eq!(existing.status, fresh.status);
    assert_eq!(without_tokens(&existing.body), without_tokens(&fresh.body));
    // The owner of the known address learns of the attempt by email.
    let mail = app.mail.wait_for("known@example.com", 2).await;
    assert_eq!(mail.subject, "Someone tried to sign up with your address");
    assert!(app.mail.to("nobody@example.com").is_empty());
}
both!(no_account_enumeration);

async fn csrf_and_tampered_cookies(backend: Backend) {
    let app = spawn_app(backend).await;
    let fields = [
        ("email", "mallory@example.com"),
        ("display_name", "M"),
        ("password", "some long password"),
    ];
    let missing = app.post_raw("/signup", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    missing.assert_contains("Not allowed");
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "forged-token"));
    let _ = app.get("/").await;
    let wrong = app.post_raw("/signup", &wrong).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let none = app
        .db(|conn| {
            agora::models::users::by_email(conn, "mallory@example.com")
                .unwrap()
                .is_none()
        })
        .await;
    assert!(none, "nothing was created");

    // Signed in, a sign-out without the token changes nothing.
    app.create_user("fay@example.com", "Fay", PASSWORD, true)
        .await;
    app.login("fay@example.com", PASSWORD).await;
    let page = app.post_raw("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/me").await.status, StatusCode::OK);

    // A tampered cookie is anonymous.
    let cookie = app.session_cookie();
    let (name, value) = cookie.split_once('=').unwrap();
    let mut bytes = value.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let page = app.get_with_cookie("/me", &tampered).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = app.get_with_cookie("/me", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
}
both!(csrf_and_tampered_cookies);

async fn sign_in_throttling_kicks_in_and_recovers(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.login_delay = std::time::Duration::from_secs(3);
    })
    .await;
    app.create_user("gus@example.com", "Gus", PASSWORD, true)
        .await;
    for _ in 0..5 {
        let page = app
            .login_with(&app.client, "gus@example.com", "wrong password here")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = app
        .login_with(&app.client, "gus@example.com", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Too many failed sign-ins");
    // From another browser too: the account is protected, not the cookie.
    let (other, _) = new_client();
    let page = app.login_with(&other, "gus@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Please try again in ");
    page.assert_contains(" seconds.");
    tokio::time::sleep(std::time::Duration::from_millis(3300)).await;
    app.login("gus@example.com", PASSWORD).await;
}
both!(sign_in_throttling_kicks_in_and_recovers);

async fn profile_edit_and_language_preference(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("hu@example.com", "Hu", PASSWORD, true)
        .await;
    app.login("hu@example.com", PASSWORD).await;
    let bad = app
        .post("/me/profile", &[("display_name", ""), ("locale", "")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Enter your name.");
    let ok = app
        .post(
            "/me/profile",
            &[("display_name", "Hu Lan"), ("locale", "zh-CN")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app.get("/me/profile").await;
    page.assert_contains("您的个人资料已保存。");
    page.assert_contains("value=\"Hu Lan\"");
    page.assert_contains("<html lang=\"zh-CN\">");
    // The footer switch changes the saved preference back.
    let page = app
        .post("/lang", &[("lang", "en-US"), ("next", "/me")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers["location"], "/me");
    app.get("/me").await.assert_contains("Hello, Hu Lan");
}
both!(profile_edit_and_language_preference);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_language_follows_header_and_switch() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = bare_client()
        .get(app.url("/login"))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("<html lang=\"zh-CN\">"));
    assert!(body.contains("登录"));
    app.get("/")
        .await
        .assert_contains("Services from partners you can trust");
    let page = app
        .post("/lang", &[("lang", "zh-CN"), ("next", "//evil.example")])
        .await;
    assert_eq!(page.headers["location"], "/");
    app.get("/").await.assert_contains("来自可信伙伴的服务");
    assert_eq!(
        app.post("/lang", &[("lang", "xx")]).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_after_sign_in_stays_local() {
    let app = spawn_app(Backend::Sqlite).await;
    app.create_user("ivy@example.com", "Ivy", PASSWORD, true)
        .await;
    let page = app
        .post(
            "/login",
            &[
                ("email", "ivy@example.com"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.headers["location"], "/");
    let (other, _) = new_client();
    let page = app
        .post_with(
            &other,
            "/login",
            &[
                ("email", "ivy@example.com"),
                ("password", PASSWORD),
                ("next", "/me/sessions"),
            ],
        )
        .await;
    assert_eq!(page.headers["location"], "/me/sessions");
}

async fn sessions_end_after_their_absolute_lifetime(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.session_absolute = std::time::Duration::from_secs(2);
    })
    .await;
    app.create_user("old@example.com", "Old", PASSWORD, true)
        .await;
    app.login("old@example.com", PASSWORD).await;
    assert_eq!(app.get("/me").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let page = app.get("/me").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "the session outlived its lifetime"
    );
}
both!(sessions_end_after_their_absolute_lifetime);

async fn export_and_delete_own_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("del@example.com", "Dee Leet").await;
    let owner = app.person("own@example.com", "Owen").await;
    let (pid, pslug) = app.partner("Keep Co", &owner).await;
    let (_, lslug) = app.listing(pid, "Lawn mowing", "Grass.", true).await;
    app.post_with(
        &consumer.client,
        &format!("/listings/{lslug}/engage"),
        &[("message", "Saturday?"), ("consent", "yes")],
    )
    .await;
    app.post_with(
        &consumer.client,
        &format!("/listings/{lslug}/review"),
        &[("rating", "4"), ("body", "Neat lawn")],
    )
    .await;
    app.post_with(
        &consumer.client,
        "/me/tickets/new",
        &[
            ("subject", "Invoice"),
            ("message", "Where is it?"),
            ("priority", "low"),
            ("listing", ""),
        ],
    )
    .await;

    let res = consumer
        .client
        .get(app.url("/me/privacy/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: serde_json::Value = res.json().await.unwrap();
    assert_eq!(data["profile"]["email"], "del@example.com");
    assert_eq!(data["engagements"][0]["listing"], "Lawn mowing");
    assert_eq!(data["engagements"][0]["shares_contact_details"], true);
    assert_eq!(data["reviews"][0]["text"], "Neat lawn");
    assert_eq!(data["tickets"][0]["subject"], "Invoice");
    assert_eq!(data["tickets"][0]["messages"][0]["text"], "Where is it?");
    assert!(data["activity"].as_array().unwrap().len() >= 3);
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);

    // The last owner of a partner must hand it over first.
    let blocked = app
        .post_with(
            &owner.client,
            "/me/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    blocked.assert_contains("You are the only owner of Keep Co.");

    let bad = app
        .post_with(
            &consumer.client,
            "/me/delete",
            &[("password", "wrong one here")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("The current password is not right.");
    bad.assert_contains("Tick the box to confirm.");
    let done = app
        .post_with(
            &consumer.client,
            "/me/delete",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    done.assert_contains("Your account was deleted");
    let mail = app.mail.wait_for("del@example.com", 2).await;
    assert_eq!(mail.subject, "Your Agora account was deleted");
    assert_eq!(
        app.get_with(&consumer.client, "/me").await.status,
        StatusCode::SEE_OTHER
    );
    let (c, _) = new_client();
    assert_eq!(
        app.login_with(&c, "del@example.com", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Gone from the partner's requests and the listing's reviews.
    let crm = app
        .get_with(&owner.client, &format!("/partner/{pslug}/engagements"))
        .await;
    assert!(!crm.body.contains("del@example.com") && !crm.body.contains("Saturday?"));
    assert!(
        !app.get(&format!("/listings/{lslug}"))
            .await
            .body
            .contains("Neat lawn")
    );
    let audit = app
        .db(move |c| {
            agora::models::audit::for_subject(c, &format!("user:{}", consumer.id))
                .unwrap()
                .into_iter()
                .map(|e| e.action)
                .collect::<Vec<_>>()
        })
        .await;
    assert_eq!(audit, ["data_exported", "account_deleted"]);
}
both!(export_and_delete_own_data);
