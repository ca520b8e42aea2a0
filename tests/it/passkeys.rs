//! Passkeys beyond the browser journey (`browser::passkey_journey`): who
//! may reach each endpoint, ceremonies taken once, removal of one's own
//! passkeys only, and no passkeys where the portal is reached by address.

use reqwest::StatusCode;

use crate::both;
use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

async fn by_name(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.base_url = s.base_url.replace("127.0.0.1", "localhost");
    })
    .await
}

async fn post_json(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let token = app.csrf_with(client).await;
    let res = client
        .post(app.url(path))
        .header("X-CSRF-Token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, body)
}

async fn not_offered_by_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.person("addr@example.com", "Ada").await;
    let login = app.get("/login").await;
    assert!(!login.body.contains("data-passkey-sign-in"));
    app.get_with(&me.client, "/me/security")
        .await
        .assert_contains("only when the portal is reached by its name");
    let (status, _) = post_json(
        &app,
        &me.client,
        "/me/security/passkeys/start",
        serde_json::json!({"name": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(not_offered_by_address);

async fn ceremonies_and_removal_follow_the_rules(backend: Backend) {
    let app = by_name(backend).await;
    let ann = app.person("pk-ann@example.com", "Ann").await;
    let bob = app.person("pk-bob@example.com", "Bob").await;

    // Signed out, nobody may start adding one; a token is needed too.
    let (anon, _) = crate::helpers::new_client();
    let (status, _) = post_json(
        &app,
        &anon,
        "/me/security/passkeys/start",
        serde_json::json!({"name": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let res = ann
        .client
        .post(app.url("/me/security/passkeys/start"))
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A name is needed; the options ask for a passkey kept on the device.
    let (status, body) = post_json(
        &app,
        &ann.client,
        "/me/security/passkeys/start",
        serde_json::json!({"name": "  "}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("Give the passkey a name"),
        "{body}"
    );
    let (status, body) = post_json(
        &app,
        &ann.client,
        "/me/security/passkeys/start",
        serde_json::json!({"name": "Phone"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let key = &body["options"]["publicKey"];
    assert_eq!(key["rp"]["id"], "localhost");
    assert_eq!(key["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(
        key["authenticatorSelection"]["userVerification"],
        "required"
    );
    let challenge = body["challenge"].as_str().unwrap().to_string();
    // Ann's ceremony is hers alone, and taken once.
    let (ann_id, bob_id) = (ann.id, bob.id);
    let c = challenge.clone();
    let (for_bob, for_ann, again) = app
        .db(move |conn| {
            use agora::models::passkeys::{REGISTER, challenge_take};
            (
                challenge_take(conn, &c, Some(bob_id), REGISTER).unwrap(),
                challenge_take(conn, &c, Some(ann_id), REGISTER).unwrap(),
                challenge_take(conn, &c, Some(ann_id), REGISTER).unwrap(),
            )
        })
        .await;
    // Bob's try used it up: it is gone for Ann too.
    assert!(for_bob.is_none() && for_ann.is_none() && again.is_none());

    // Sign-in ceremonies: an answer to one nobody started is refused.
    let (status, body) =
        post_json(&app, &anon, "/login/passkey/start", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["options"]["mediation"].is_null(), "{body}");
    let forged = serde_json::json!({
        "challenge": "not-a-ceremony",
        "credential": {
            "id": "AAAA",
            "rawId": "AAAA",
            "type": "public-key",
            "response": {
                "authenticatorData": "AAAA",
                "clientDataJSON": "AAAA",
                "signature": "AAAA",
                "userHandle": null
            },
            "extensions": {}
        }
    });
    let (status, body) = post_json(&app, &anon, "/login/passkey/finish", forged).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.get_with(&anon, "/me").await.status,
        StatusCode::SEE_OTHER
    );

    // Removal: one's own only; the other's is a 404.
    let pid = app
        .db(move |conn| {
            agora::models::passkeys::insert(
                conn,
                &agora::models::passkeys::NewPasskey {
                    user_id: ann_id,
                    name: "Old key",
                    credential_id: "Y3JlZA",
                    user_handle: "handle",
                    passkey: "{}",
                },
            )
            .unwrap();
            agora::models::passkeys::of_user(conn, ann_id).unwrap()[0].id
        })
        .await;
    app.get_with(&ann.client, "/me/security")
        .await
        .assert_contains("Old key");
    let path = format!("/me/security/passkeys/{pid}/remove");
    assert_eq!(
        app.post_with(&bob.client, &path, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_with(&ann.client, &path, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let left = app
        .db(move |conn| agora::models::passkeys::count_of(conn, ann_id).unwrap())
        .await;
    assert_eq!(left, 0);
    app.mail
        .wait_about("pk-ann@example.com", "A passkey was removed", 1)
        .await;
}
both!(ceremonies_and_removal_follow_the_rules);
