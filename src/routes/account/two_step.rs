//! Two-step sign-in. `/me/security` sets up a code app (a QR code drawn on
//! the server as SVG, the secret as text, confirmed with a first code),
//! shows ten recovery codes once, makes new ones, and turns it off (with
//! the password and a code). After the right password an account with it
//! goes to `/login/code`: a signed cookie of five minutes says whose
//! password was right; a code of the app or an unused recovery code
//! finishes the sign-in. Codes count on the sign-in throttle like
//! passwords; a code is taken once. Each change is audited and mailed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::auth;
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::throttle::{self, Attempt};
use crate::models::two_step::{self, Passed};
use crate::models::{audit, outbox, users};
use crate::web::limits::wait_text;
use crate::web::{Ctx, FormErrors, render, render_status, safe_next, see_other};

/// The cookie that carries a right password to the second step.
pub const COOKIE: &str = "agora_two_step";

/// How long the second step may wait after the password.
const PENDING_SECONDS: i64 = 300;

fn pending_value(secret: &[u8], user_id: i64, next: &str) -> String {
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + PENDING_SECONDS;
    let next = URL_SAFE_NO_PAD.encode(next);
    let body = format!("{user_id}.{expires}.{next}");
    let sig = auth::sign(secret, &format!("two-step:{body}"));
    format!("{body}.{sig}")
}

/// Whose password was right, and where to go after; `None` when the
/// cookie is missing, forged or stale.
pub(super) fn pending_of(secret: &[u8], value: &str) -> Option<(i64, String)> {
    let (body, sig) = value.rsplit_once('.')?;
    if !auth::signature_valid(secret, &format!("two-step:{body}"), sig) {
        return None;
    }
    let mut parts = body.splitn(3, '.');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    if expires < time::OffsetDateTime::now_utc().unix_timestamp() {
        return None;
    }
    let next = String::from_utf8(URL_SAFE_NO_PAD.decode(parts.next()?).ok()?).ok()?;
    Some((user_id, safe_next(Some(&next))))
}

/// Sends the browser on to the second step (from the password form).
pub fn begin(ctx: &Ctx, user_id: i64, next: &str) -> HttpResponse {
    let value = pending_value(&ctx.state.settings.secret, user_id, next);
    let mut c = auth::csrf::cookie(COOKIE, value, ctx.secure_cookies());
    c.set_max_age(actix_web::cookie::time::Duration::seconds(PENDING_SECONDS));
    ctx.add_cookie(c);
    see_other("/login/code")
}

pub(super) fn forget(ctx: &Ctx) {
    let mut c = auth::csrf::cookie(COOKIE, String::new(), ctx.secure_cookies());
    c.set_max_age(actix_web::cookie::time::Duration::ZERO);
    ctx.add_cookie(c);
}

#[derive(Template)]
#[template(path = "account/login_code.html")]
struct CodePage<'a> {
    ctx: &'a Ctx,
    errors: FormErrors,
    /// The account has passkeys, which may stand in for the code.
    passkey: bool,
}

pub async fn code_form(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let secret = &ctx.state.settings.secret;
    let Some((user_id, _)) = req
        .cookie(COOKIE)
        .and_then(|c| pending_of(secret, c.value()))
    else {
        return Ok(see_other("/login"));
    };
    let passkey = ctx.state.passkeys.is_some()
        && db::read(ctx.pool(), move |conn| {
            Ok(crate::models::passkeys::count_of(conn, user_id)? > 0)
        })
        .await?;
    render(&CodePage {
        ctx: &ctx,
        errors: FormErrors::new(),
        passkey,
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn code_submit(
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let secret = ctx.state.settings.secret.clone();
    let Some((user_id, next)) = req
        .cookie(COOKIE)
        .and_then(|c| pending_of(&secret, c.value()))
    else {
        ctx.flash("error", "two-step-expired");
        return Ok(see_other("/login"));
    };
    let page = |errors: FormErrors, status: StatusCode| {
        render_status(
            status,
            &CodePage {
                ctx: &ctx,
                errors,
                passkey: false,
            },
        )
    };
    let mut errors = FormErrors::new();
    // Codes count on the same slow-down as passwords.
    let subject = format!("two-step:{user_id}");
    let policy = throttle::LoginPolicy::from_settings(&ctx.state.settings);
    let s = subject.clone();
    let attempt = db::run(ctx.pool(), move |conn| {
        Ok(throttle::begin_login(conn, &s, None, &policy)?)
    })
    .await?;
    if let Attempt::Locked(w) | Attempt::AddressFull(w) = attempt {
        errors.add(
            "code",
            ctx.t1("login-slowed", "wait", wait_text(ctx.lang, w)),
        );
        return page(errors, StatusCode::TOO_MANY_REQUESTS);
    }
    let (code, ip) = (form.code.clone(), ctx.ip.clone());
    let domain = ctx.state.mail_domain();
    let platform_zone = ctx.state.settings.time_zone.clone();
    let passed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(user) = users::by_id(conn, user_id)?.filter(|u| u.is_active()) else {
                return Ok::<_, AppError>(None);
            };
            let Some(how) = two_step::verify(conn, user_id, &code)? else {
                audit::record(
                    conn,
                    Some(user_id),
                    "two_step_failed",
                    &user.email,
                    Some(&ip),
                )?;
                return Ok(None);
            };
            throttle::login_succeeded(conn, &subject)?;
            audit::record(conn, Some(user_id), audit::LOGIN, &user.email, Some(&ip))?;
            if how == Passed::RecoveryCode {
                audit::record(
                    conn,
                    Some(user_id),
                    "recovery_code_used",
                    &format!("user:{user_id}"),
                    Some(&ip),
                )?;
                let left = two_step::recovery_left(conn, user_id)?;
                let mail = messages::security_notice(
                    &user,
                    &user.zone(&platform_zone),
                    "mail-recovery-used-subject",
                    vec![
                        user.lang()
                            .t_args("mail-recovery-left", &[("count", left.into())]),
                    ],
                )?;
                outbox::enqueue(conn, &domain, &mail)?;
            }
            Ok(Some(user))
        })
    })
    .await?;
    let Some(user) = passed else {
        errors.add("code", ctx.t("two-step-wrong-code"));
        return page(errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    forget(&ctx);
    ctx.state.mail_wakeup.notify_one();
    super::login::finish_sign_in(&ctx, &user, &next).await
}

#[derive(Template)]
#[template(path = "account/security.html")]
struct SecurityPage<'a> {
    ctx: &'a Ctx,
    enabled: bool,
    /// A set-up under way: the QR code and the secret as text.
    setup: Option<(String, String)>,
    recovery_left: i64,
    /// Recovery codes just made, shown this once.
    codes: Vec<String>,
    /// Whether this site can have passkeys (its host is a name).
    passkeys_offered: bool,
    passkeys: Vec<crate::models::passkeys::PasskeyRow>,
    errors: FormErrors,
    /// Sent here because the desk or the admin pages ask for it.
    required: bool,
}

async fn security_page(
    ctx: &Ctx,
    codes: Vec<String>,
    errors: FormErrors,
    status: StatusCode,
    required: bool,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let (enabled, pending, left, passkeys) = db::run(ctx.pool(), move |conn| {
        Ok((
            two_step::enabled(conn, user.id)?,
            two_step::pending(conn, user.id, &user.email)?,
            two_step::recovery_left(conn, user.id)?,
            crate::models::passkeys::of_user(conn, user.id)?,
        ))
    })
    .await?;
    render_status(
        status,
        &SecurityPage {
            ctx,
            enabled,
            setup: pending.map(|p| (two_step::qr_svg(&p.url), p.secret)),
            recovery_left: left,
            codes,
            errors,
            required,
            passkeys_offered: ctx.state.passkeys.is_some(),
            passkeys,
        },
    )
}

#[derive(Deserialize)]
pub struct SecurityQuery {
    /// Sent here by the desk or the admin pages.
    required: Option<String>,
}

pub async fn security(ctx: Ctx, q: web::Query<SecurityQuery>) -> Result<HttpResponse, AppError> {
    let required = q.required.is_some();
    security_page(
        &ctx,
        Vec::new(),
        FormErrors::new(),
        StatusCode::OK,
        required,
    )
    .await
}

pub async fn start(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, AppError>(two_step::start(conn, user.id, &user.email)?)
        })
    })
    .await?;
    Ok(see_other("/me/security#setup"))
}

pub async fn confirm(ctx: Ctx, form: web::Form<CodeForm>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let (code, ip, domain) = (form.code.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let platform_zone = ctx.state.settings.time_zone.clone();
    let codes = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if !two_step::confirm(conn, user.id, &code)? {
                return Ok::<_, AppError>(None);
            }
            let codes = two_step::new_recovery_codes(conn, user.id)?;
            audit::record(
                conn,
                Some(user.id),
                "two_step_enabled",
                &format!("user:{}", user.id),
                Some(&ip),
            )?;
            let mail = messages::security_notice(
                &user,
                &user.zone(&platform_zone),
                "mail-two-step-on-subject",
                Vec::new(),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(Some(codes))
        })
    })
    .await?;
    let Some(codes) = codes else {
        let mut e = FormErrors::new();
        e.add("code", ctx.t("two-step-wrong-code"));
        return security_page(&ctx, Vec::new(), e, StatusCode::UNPROCESSABLE_ENTITY, false).await;
    };
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "two-step-on");
    security_page(&ctx, codes, FormErrors::new(), StatusCode::OK, false).await
}

#[derive(Deserialize)]
pub struct PasswordAndCode {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// Turns the second step off: the password and a code (or a recovery
/// code) are asked for.
pub async fn disable(ctx: Ctx, form: web::Form<PasswordAndCode>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let mut e = FormErrors::new();
    let ok = ctx
        .state
        .hasher
        .verify(form.password.clone(), Some(user.password_hash.clone()))
        .await?;
    if !ok {
        e.add("password", ctx.t("error-current-password"));
        return security_page(&ctx, Vec::new(), e, StatusCode::UNPROCESSABLE_ENTITY, false).await;
    }
    let (code, ip, domain) = (form.code.clone(), ctx.ip.clone(), ctx.state.mail_domain());
    let platform_zone = ctx.state.settings.time_zone.clone();
    let done = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if two_step::verify(conn, user.id, &code)?.is_none() {
                return Ok::<_, AppError>(false);
            }
            two_step::disable(conn, user.id)?;
            audit::record(
                conn,
                Some(user.id),
                "two_step_disabled",
                &format!("user:{}", user.id),
                Some(&ip),
            )?;
            let mail = messages::security_notice(
                &user,
                &user.zone(&platform_zone),
                "mail-two-step-off-subject",
                Vec::new(),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(true)
        })
    })
    .await?;
    if !done {
        e.add("code", ctx.t("two-step-wrong-code"));
        return security_page(&ctx, Vec::new(), e, StatusCode::UNPROCESSABLE_ENTITY, false).await;
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "two-step-off");
    Ok(see_other("/me/security"))
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    password: String,
}

/// New recovery codes in place of the old ones (the password is asked).
pub async fn renew(ctx: Ctx, form: web::Form<PasswordOnly>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let ok = ctx
        .state
        .hasher
        .verify(form.password.clone(), Some(user.password_hash.clone()))
        .await?;
    if !ok {
        let mut e = FormErrors::new();
        e.add("password", ctx.t("error-current-password"));
        return security_page(&ctx, Vec::new(), e, StatusCode::UNPROCESSABLE_ENTITY, false).await;
    }
    let ip = ctx.ip.clone();
    let codes = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if !two_step::enabled(conn, user.id)? {
                return Ok::<_, AppError>(Vec::new());
            }
            let codes = two_step::new_recovery_codes(conn, user.id)?;
            audit::record(
                conn,
                Some(user.id),
                "recovery_codes_renewed",
                &format!("user:{}", user.id),
                Some(&ip),
            )?;
            Ok(codes)
        })
    })
    .await?;
    security_page(&ctx, codes, FormErrors::new(), StatusCode::OK, false).await
}
