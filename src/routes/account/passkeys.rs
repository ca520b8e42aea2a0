//! Passkeys: added and named at `/me/security`, removed there, used to
//! sign in without a password (`/login`), and as the second step in place
//! of a code (`/login/code`). WebAuthn runs in the browser,
//! so these endpoints speak JSON to `static/app.js`; every other way in
//! works without JavaScript.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Webauthn,
};

use crate::auth::passkey::{credential_text, user_handle};
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::passkeys::{self, NewPasskey};
use crate::models::throttle::{self, Attempt};
use crate::models::{audit, outbox, users};
use crate::web::{Ctx, safe_next, see_other};

/// The longest name a passkey may have.
const NAME_MAX: usize = 60;

fn relying_party(ctx: &Ctx) -> Result<std::sync::Arc<Webauthn>, AppError> {
    ctx.state.passkeys.clone().ok_or(AppError::NotFound)
}

/// A refusal the page's script shows as it is.
fn refused(ctx: &Ctx, key: &str) -> HttpResponse {
    HttpResponse::UnprocessableEntity().json(json!({ "error": ctx.t(key) }))
}

fn bad_state(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("passkey state: {e}"))
}

/// A stored passkey as the WebAuthn library reads it.
fn credential(row: &passkeys::PasskeyRow) -> Result<Passkey, AppError> {
    serde_json::from_str(&row.passkey).map_err(bad_state)
}

/// Every passkey of the person, read.
fn credentials_of(
    conn: &mut crate::db::AnyConnection,
    user_id: i64,
) -> Result<Vec<Passkey>, AppError> {
    passkeys::of_user(conn, user_id)?
        .iter()
        .map(credential)
        .collect()
}

/// After a sign-in with it: the passkey's counter as the answer left it,
/// and when it was used.
fn record_use(
    conn: &mut crate::db::AnyConnection,
    row: &passkeys::PasskeyRow,
    mut passkey: Passkey,
    result: &webauthn_rs::prelude::AuthenticationResult,
) -> Result<(), AppError> {
    passkey.update_credential(result);
    let kept = serde_json::to_string(&passkey).map_err(bad_state)?;
    Ok(passkeys::used(conn, row.id, &kept)?)
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    name: String,
}

/// Asks the browser to make a passkey for the signed-in person.
pub async fn register_start(
    ctx: Ctx,
    form: web::Json<StartForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let rp = relying_party(&ctx)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Ok(refused(&ctx, "passkey-name-invalid"));
    }
    let handle = user_handle(&ctx.state.settings.secret, user.id);
    let uid = user.id;
    let started = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if passkeys::count_of(conn, uid)? >= passkeys::MAX_PER_USER {
                return Ok::<_, AppError>(None);
            }
            let exclude = credentials_of(conn, uid)?
                .iter()
                .map(|pk| pk.cred_id().clone())
                .collect();
            let (options, state) = rp
                .start_passkey_registration(handle, &user.email, &user.display_name, Some(exclude))
                .map_err(|e| AppError::Internal(format!("passkey registration: {e}")))?;
            // Kept on the authenticator, so that it can sign in without the
            // address being typed.
            let mut options = serde_json::to_value(&options).map_err(bad_state)?;
            options["publicKey"]["authenticatorSelection"]["residentKey"] = json!("required");
            options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(true);
            let state = serde_json::to_string(&state).map_err(bad_state)?;
            let id = passkeys::challenge_put(conn, Some(uid), passkeys::REGISTER, &state)?;
            Ok(Some((id, options)))
        })
    })
    .await?;
    let Some((id, options)) = started else {
        return Ok(refused(&ctx, "passkey-too-many"));
    };
    Ok(HttpResponse::Ok().json(json!({ "challenge": id, "options": options })))
}

#[derive(Deserialize)]
pub struct RegisterFinish {
    challenge: String,
    #[serde(default)]
    name: String,
    credential: RegisterPublicKeyCredential,
}

/// Checks the browser's answer and keeps the passkey.
pub async fn register_finish(
    ctx: Ctx,
    form: web::Json<RegisterFinish>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let rp = relying_party(&ctx)?;
    let form = form.into_inner();
    let name: String = form.name.trim().chars().take(NAME_MAX).collect();
    if name.is_empty() {
        return Ok(refused(&ctx, "passkey-name-invalid"));
    }
    let handle = user_handle(&ctx.state.settings.secret, user.id).to_string();
    let (ip, domain, zone) = (ctx.ip.clone(), ctx.state.mail_domain(), ctx.zone.clone());
    let outcome = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(state) =
                passkeys::challenge_take(conn, &form.challenge, Some(user.id), passkeys::REGISTER)?
            else {
                return Ok::<_, AppError>(Err("passkey-expired"));
            };
            // Counted again: several ceremonies may have started at once.
            if passkeys::count_of(conn, user.id)? >= passkeys::MAX_PER_USER {
                return Ok(Err("passkey-too-many"));
            }
            let state: PasskeyRegistration = serde_json::from_str(&state).map_err(bad_state)?;
            let Ok(passkey) = rp.finish_passkey_registration(&form.credential, &state) else {
                return Ok(Err("passkey-failed"));
            };
            let credential_id = credential_text(passkey.cred_id().as_ref());
            if passkeys::by_credential(conn, &credential_id)?.is_some() {
                return Ok(Err("passkey-failed"));
            }
            let kept = serde_json::to_string(&passkey).map_err(bad_state)?;
            passkeys::insert(
                conn,
                &NewPasskey {
                    user_id: user.id,
                    name: &name,
                    credential_id: &credential_id,
                    user_handle: &handle,
                    passkey: &kept,
                },
            )?;
            audit::record(conn, Some(user.id), "passkey_added", &name, Some(&ip))?;
            let mail = messages::security_notice(
                &user,
                &zone,
                "mail-passkey-added-subject",
                vec![
                    user.lang()
                        .t_args("mail-passkey-name", &[("name", name.clone().into())]),
                ],
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(Ok(()))
        })
    })
    .await?;
    match outcome {
        Ok(()) => {
            ctx.state.mail_wakeup.notify_one();
            ctx.flash("success", "passkey-added");
            Ok(HttpResponse::Ok().json(json!({ "redirect": "/me/security" })))
        }
        Err(key) => Ok(refused(&ctx, key)),
    }
}

/// Removes one of the person's passkeys (a plain form: no script needed).
pub async fn remove(ctx: Ctx, path: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let id = path.into_inner();
    let (ip, domain, zone) = (ctx.ip.clone(), ctx.state.mail_domain(), ctx.zone.clone());
    let removed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if passkeys::delete(conn, user.id, id)? == 0 {
                return Ok::<_, AppError>(false);
            }
            audit::record(
                conn,
                Some(user.id),
                "passkey_removed",
                &format!("passkey:{id}"),
                Some(&ip),
            )?;
            let mail = messages::security_notice(
                &user,
                &zone,
                "mail-passkey-removed-subject",
                Vec::new(),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(true)
        })
    })
    .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "passkey-removed");
    Ok(see_other("/me/security"))
}

/// Asks the browser for any passkey it keeps for this site. Counted on
/// the address's sign-in limit, as passwords are.
pub async fn sign_in_start(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let rp = relying_party(&ctx)?;
    let policy = throttle::LoginPolicy::from_settings(&ctx.state.settings);
    let ip = ctx.ip.clone();
    let started = db::run(ctx.pool(), move |conn| {
        let subject = format!("passkey:{ip}");
        if let Attempt::Locked(_) | Attempt::AddressFull(_) =
            throttle::begin_login(conn, &subject, Some(&ip), &policy)?
        {
            return Ok::<_, AppError>(None);
        }
        let (mut options, state) = rp
            .start_discoverable_authentication()
            .map_err(|e| AppError::Internal(format!("passkey sign-in: {e}")))?;
        // Asked for at once, not in the address field's suggestions.
        options.mediation = None;
        let state = serde_json::to_string(&state).map_err(bad_state)?;
        let id = write_tx(conn, |conn| {
            passkeys::challenge_put(conn, None, passkeys::SIGN_IN, &state)
        })?;
        Ok(Some((id, options)))
    })
    .await?;
    let Some((id, options)) = started else {
        return Ok(
            HttpResponse::TooManyRequests().json(json!({ "error": ctx.t("passkey-slowed") }))
        );
    };
    Ok(HttpResponse::Ok().json(json!({ "challenge": id, "options": options })))
}

#[derive(Deserialize)]
pub struct SignInFinish {
    challenge: String,
    credential: PublicKeyCredential,
    #[serde(default)]
    next: Option<String>,
}

/// Checks the browser's answer and signs its account in.
pub async fn sign_in_finish(
    ctx: Ctx,
    form: web::Json<SignInFinish>,
) -> Result<HttpResponse, AppError> {
    let rp = relying_party(&ctx)?;
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let ip = ctx.ip.clone();
    let signed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(state) =
                passkeys::challenge_take(conn, &form.challenge, None, passkeys::SIGN_IN)?
            else {
                return Ok::<_, AppError>(Err("passkey-expired"));
            };
            let state: DiscoverableAuthentication =
                serde_json::from_str(&state).map_err(bad_state)?;
            let Ok((handle, credential_id)) =
                rp.identify_discoverable_authentication(&form.credential)
            else {
                return Ok(Err("passkey-failed"));
            };
            let Some(row) = passkeys::by_credential(conn, &credential_text(credential_id))? else {
                return Ok(Err("passkey-unknown"));
            };
            if row.user_handle != handle.to_string() {
                return Ok(Err("passkey-failed"));
            }
            let passkey = credential(&row)?;
            let Ok(result) =
                rp.finish_discoverable_authentication_v2(&form.credential, state, &passkey)
            else {
                return Ok(Err("passkey-failed"));
            };
            record_use(conn, &row, passkey, &result)?;
            let Some(user) =
                users::by_id(conn, row.user_id)?.filter(|u| u.is_active() && u.is_verified())
            else {
                return Ok(Err("passkey-failed"));
            };
            throttle::login_succeeded(conn, &format!("passkey:{ip}"))?;
            audit::record(conn, Some(user.id), audit::LOGIN, &user.email, Some(&ip))?;
            audit::record(conn, Some(user.id), "passkey_sign_in", &row.name, Some(&ip))?;
            Ok(Ok(user))
        })
    })
    .await?;
    match signed {
        Ok(user) => {
            super::login::complete_sign_in(&ctx, &user).await?;
            Ok(HttpResponse::Ok().json(json!({ "redirect": next })))
        }
        Err(key) => Ok(refused(&ctx, key)),
    }
}

/// The person whose password was right and who is asked for a second
/// step (the signed cookie of `/login/code`), with where they go next.
fn pending(ctx: &Ctx, req: &HttpRequest) -> Option<(i64, String)> {
    let secret = &ctx.state.settings.secret;
    req.cookie(super::two_step::COOKIE)
        .and_then(|c| super::two_step::pending_of(secret, c.value()))
}

/// The second step with one of the account's passkeys instead of a code.
pub async fn second_step_start(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let rp = relying_party(&ctx)?;
    let Some((user_id, _)) = pending(&ctx, &req) else {
        return Ok(refused(&ctx, "passkey-expired"));
    };
    let started = db::run(ctx.pool(), move |conn| {
        let keys = credentials_of(conn, user_id)?;
        if keys.is_empty() {
            return Ok::<_, AppError>(None);
        }
        let (options, state) = rp
            .start_passkey_authentication(&keys)
            .map_err(|e| AppError::Internal(format!("passkey second step: {e}")))?;
        let state = serde_json::to_string(&state).map_err(bad_state)?;
        let id = write_tx(conn, |conn| {
            passkeys::challenge_put(conn, Some(user_id), passkeys::SECOND_STEP, &state)
        })?;
        Ok(Some((id, options)))
    })
    .await?;
    let Some((id, options)) = started else {
        return Ok(refused(&ctx, "passkey-unknown"));
    };
    Ok(HttpResponse::Ok().json(json!({ "challenge": id, "options": options })))
}

#[derive(Deserialize)]
pub struct SecondStepFinish {
    challenge: String,
    credential: PublicKeyCredential,
}

pub async fn second_step_finish(
    ctx: Ctx,
    req: HttpRequest,
    form: web::Json<SecondStepFinish>,
) -> Result<HttpResponse, AppError> {
    let rp = relying_party(&ctx)?;
    let Some((user_id, next)) = pending(&ctx, &req) else {
        return Ok(refused(&ctx, "passkey-expired"));
    };
    let form = form.into_inner();
    let ip = ctx.ip.clone();
    let signed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(state) = passkeys::challenge_take(
                conn,
                &form.challenge,
                Some(user_id),
                passkeys::SECOND_STEP,
            )?
            else {
                return Ok::<_, AppError>(Err("passkey-expired"));
            };
            let state: PasskeyAuthentication = serde_json::from_str(&state).map_err(bad_state)?;
            let Ok(result) = rp.finish_passkey_authentication(&form.credential, &state) else {
                return Ok(Err("passkey-failed"));
            };
            let Some(row) =
                passkeys::by_credential(conn, &credential_text(result.cred_id().as_ref()))?
                    .filter(|r| r.user_id == user_id)
            else {
                return Ok(Err("passkey-unknown"));
            };
            record_use(conn, &row, credential(&row)?, &result)?;
            let Some(user) = users::by_id(conn, user_id)?.filter(|u| u.is_active()) else {
                return Ok(Err("passkey-failed"));
            };
            throttle::login_succeeded(conn, &format!("two-step:{user_id}"))?;
            audit::record(conn, Some(user.id), audit::LOGIN, &user.email, Some(&ip))?;
            audit::record(
                conn,
                Some(user.id),
                "passkey_second_step",
                &row.name,
                Some(&ip),
            )?;
            Ok(Ok(user))
        })
    })
    .await?;
    match signed {
        Ok(user) => {
            super::two_step::forget(&ctx);
            super::login::complete_sign_in(&ctx, &user).await?;
            Ok(HttpResponse::Ok().json(json!({ "redirect": next })))
        }
        Err(key) => Ok(refused(&ctx, key)),
    }
}
