use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, Page, Person, TestApp, spawn_app_with};

async fn get_as(app: &TestApp, p: &Person, path: &str) -> Page {
    app.get_with(&p.client, path).await
}

async fn users_audit_and_outbox(backend: Backend) {
    // One attempt only, so a refused message fails at once.
    let app = spawn_app_with(backend, |s| s.mail_max_attempts = 1).await;
    let admin = app.admin("root@example.com").await;
    let worker = app.person("worker@example.com", "Wendy Worker").await;

    // Only admins.
    for path in ["/admin/users", "/admin/audit", "/admin/outbox"] {
        assert_eq!(
            get_as(&app, &worker, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            get_as(&app, &admin, path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    get_as(&app, &admin, "/admin/users?q=wendy")
        .await
        .assert_contains("worker@example.com");
    assert!(
        !get_as(&app, &admin, "/admin/users?q=%25_")
            .await
            .body
            .contains("worker@example.com")
    );

    // Staff flag opens the desk.
    assert_eq!(
        get_as(&app, &worker, "/desk").await.status,
        StatusCode::NOT_FOUND
    );
    app.post_with(
        &admin.client,
        &format!("/admin/users/{}", worker.id),
        &[("action", "make_staff")],
    )
    .await;
    assert_eq!(get_as(&app, &worker, "/desk").await.status, StatusCode::OK);
    // Nobody disables themselves.
    app.post_with(
        &admin.client,
        &format!("/admin/users/{}", admin.id),
        &[("action", "disable")],
    )
    .await;
    assert_eq!(get_as(&app, &admin, "/admin").await.status, StatusCode::OK);
    // Disabling ends the sessions and stops sign-in.
    app.post_with(
        &admin.client,
        &format!("/admin/users/{}", worker.id),
        &[("action", "disable")],
    )
    .await;
    assert_eq!(
        get_as(&app, &worker, "/me").await.status,
        StatusCode::SEE_OTHER
    );
    let (c, _) = crate::helpers::new_client();
    assert_eq!(
        app.login_with(&c, "worker@example.com", crate::helpers::PASSWORD)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.post_with(
        &admin.client,
        &format!("/admin/users/{}", worker.id),
        &[("action", "enable")],
    )
    .await;
    assert_eq!(
        app.login_with(&c, "worker@example.com", crate::helpers::PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // That browser was new to the account: its notice goes out first.
    app.mail
        .wait_about("worker@example.com", "A new sign-in to your account", 1)
        .await;

    let audit = get_as(&app, &admin, "/admin/audit?q=user_").await;
    audit.assert_contains("user_make_staff");
    audit.assert_contains("user_disable");
    audit.assert_contains("root@example.com");

    // A failed message can be sent again.
    app.mail.stop();
    app.post("/password/forgot", &[("email", "worker@example.com")])
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = get_as(&app, &admin, "/admin/outbox").await;
        if page.body.contains("Try again") {
            page.assert_contains("Reset your Agora password");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never failed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.mail.resume();
    let id = app
        .db(|c| agora::models::outbox::by_status(c, "failed").unwrap()[0].id)
        .await;
    app.post_with(&admin.client, &format!("/admin/outbox/{id}/retry"), &[])
        .await;
    app.mail
        .wait_about("worker@example.com", "Reset your Agora password", 1)
        .await;
    assert_eq!(
        app.post_with(&admin.client, "/admin/outbox/999999/retry", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
both!(users_audit_and_outbox);

async fn admins_take_listings_down(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let admin = app.admin("mod2@example.com").await;
    let owner = app.person("lo2@example.com", "Lo").await;
    let (pid, pslug) = app.partner("Take Co", &owner).await;
    let (lid, lslug) = app.listing(pid, "Dubious pills", "Cures all.", true).await;
    assert_eq!(
        get_as(&app, &owner, "/admin/listings").await.status,
        StatusCode::NOT_FOUND
    );
    get_as(&app, &admin, "/admin/listings")
        .await
        .assert_contains("Dubious pills");
    // A reason is required.
    app.post_with(
        &admin.client,
        &format!("/admin/listings/{lid}/take-down"),
        &[("reason", "")],
    )
    .await;
    assert_eq!(
        app.get(&format!("/listings/{lslug}")).await.status,
        StatusCode::OK
    );
    let r = app
        .post_with(
            &admin.client,
            &format!("/admin/listings/{lid}/take-down"),
            &[("reason", "Health claims")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/listings/{lslug}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mail = app.mail.wait_for("contact@partner.example", 1).await;
    assert_eq!(mail.subject, "Your listing “Dubious pills” was taken down");
    assert!(mail.text.contains("Health claims"));
    get_as(&app, &owner, &format!("/partner/{pslug}/listings"))
        .await
        .assert_contains("Archived");
    // Taking down what is not published is a 404.
    let again = app
        .post_with(
            &admin.client,
            &format!("/admin/listings/{lid}/take-down"),
            &[("reason", "again")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
both!(admins_take_listings_down);
