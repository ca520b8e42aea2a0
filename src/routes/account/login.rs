use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::domain::Email;
use crate::error::AppError;
use crate::models::throttle::{self, Attempt};
use crate::models::{audit, users};
use crate::web::limits::wait_text;
use crate::web::{Ctx, FormErrors, render, render_status, safe_next, see_other};

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    email: &'a str,
    next: &'a str,
    errors: FormErrors,
    unverified: bool,
    notice: Option<String>,
}

pub async fn form(ctx: Ctx, q: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let next = safe_next(q.next.as_deref());
    if ctx.signed_in() {
        return Ok(see_other(&next));
    }
    render(&LoginPage {
        ctx: &ctx,
        email: "",
        next: &next,
        errors: FormErrors::new(),
        unverified: false,
        notice: q.reset.as_ref().map(|_| ctx.t("reset-done")),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

enum Outcome {
    Failed,
    Unverified,
    SignedIn(Box<users::User>),
}

/// Signs in, slowed down per account as OWASP advises rather than locked:
/// each attempt is counted on the account's failure streak before the
/// password is checked (so parallel guesses cannot pass the limit), and
/// after `login_max_failures` failures each further attempt waits, longer
/// every time. A browser that signed in to the account before (its device
/// cookie) has a streak of its own, so failures from elsewhere do not slow
/// it; other browsers also count on their address's limit of attempts.
pub async fn submit(ctx: Ctx, form: web::Form<LoginForm>) -> Result<HttpResponse, AppError> {
    let next = safe_next(form.next.as_deref());
    let mut errors = FormErrors::new();
    let email = errors.check(ctx.lang, "email", Email::parse(&form.email));
    if form.password.is_empty() {
        errors.add("password", ctx.t("error-password-required"));
    }
    let page = |errors: FormErrors, unverified: bool, status: StatusCode| {
        render_status(
            status,
            &LoginPage {
                ctx: &ctx,
                email: &form.email,
                next: &next,
                errors,
                unverified,
                notice: None,
            },
        )
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return page(errors, false, StatusCode::UNPROCESSABLE_ENTITY);
    };

    let addr = email.as_str().to_string();
    let user = db::run(ctx.pool(), move |conn| Ok(users::by_email(conn, &addr)?)).await?;
    let device = user.as_ref().and_then(|u| ctx.known_device(u.id));
    let streak = match &device {
        Some(id) => format!("device:{id}"),
        None => throttle::email_subject(email.as_str()),
    };
    let policy = throttle::LoginPolicy::from_settings(&ctx.state.settings);
    let address = device.is_none().then(|| ctx.ip.clone());
    let subject = streak.clone();
    let attempt = db::run(ctx.pool(), move |conn| {
        Ok(throttle::begin_login(
            conn,
            &subject,
            address.as_deref(),
            &policy,
        )?)
    })
    .await?;
    let wait = |key: &str, w| ctx.t1(key, "wait", wait_text(ctx.lang, w));
    match attempt {
        Attempt::Allowed => {}
        Attempt::Locked(w) => {
            errors.add("email", wait("login-slowed", w));
            return page(errors, false, StatusCode::TOO_MANY_REQUESTS);
        }
        Attempt::AddressFull(w) => {
            errors.add("email", wait("login-address-limited", w));
            return page(errors, false, StatusCode::TOO_MANY_REQUESTS);
        }
    }

    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = ctx.state.hasher.verify(form.password.clone(), hash).await?;
    let outcome = match user {
        Some(u) if ok && u.is_active() => {
            if u.is_verified() {
                Outcome::SignedIn(Box::new(u))
            } else {
                Outcome::Unverified
            }
        }
        _ => Outcome::Failed,
    };
    if !matches!(outcome, Outcome::Failed) {
        // The right password ends the streak it was counted on; a known
        // browser's success leaves the account's own streak as it is.
        let subject = streak.clone();
        db::run(ctx.pool(), move |conn| {
            Ok(throttle::login_succeeded(conn, &subject)?)
        })
        .await?;
    }

    let (ip, addr) = (ctx.ip.clone(), email.as_str().to_string());
    match outcome {
        Outcome::Failed => {
            db::run(ctx.pool(), move |conn| {
                Ok(audit::record(
                    conn,
                    None,
                    audit::LOGIN_FAILED,
                    &addr,
                    Some(&ip),
                )?)
            })
            .await?;
            errors.add("email", ctx.t("login-failed"));
            page(errors, false, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Outcome::Unverified => {
            errors.add("email", ctx.t("login-unverified"));
            page(errors, true, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Outcome::SignedIn(user) => {
            let id = user.id;
            // A second step first, when the account has one.
            if db::run(ctx.pool(), move |conn| {
                Ok(crate::models::two_step::enabled(conn, id)?)
            })
            .await?
            {
                return Ok(super::two_step::begin(&ctx, id, &next));
            }
            db::run(ctx.pool(), move |conn| {
                Ok(audit::record(
                    conn,
                    Some(id),
                    audit::LOGIN,
                    &addr,
                    Some(&ip),
                )?)
            })
            .await?;
            finish_sign_in(&ctx, &user, &next).await
        }
    }
}

/// The last step of every way to sign in, then on to `next`.
pub async fn finish_sign_in(
    ctx: &Ctx,
    user: &users::User,
    next: &str,
) -> Result<HttpResponse, AppError> {
    complete_sign_in(ctx, user).await?;
    Ok(see_other(next))
}

/// The last step of every way to sign in (its `login` audit event is
/// written already): the session, the browser remembered, a welcome, and
/// an email when this browser never signed in to the account before (and
/// the account had signed in before: its very first sign-in is no news).
pub async fn complete_sign_in(ctx: &Ctx, user: &users::User) -> Result<(), AppError> {
    if ctx.known_device(user.id).is_none() {
        let (who, ip, agent) = (user.clone(), ctx.ip.clone(), ctx.user_agent.clone());
        let (domain, platform_zone) = (
            ctx.state.mail_domain(),
            ctx.state.settings.time_zone.clone(),
        );
        let sent = db::run(ctx.pool(), move |conn| {
            crate::db::write_tx(conn, |conn| {
                if !audit::signed_in_before(conn, &who.email)? {
                    return Ok::<_, AppError>(false);
                }
                audit::record(
                    conn,
                    Some(who.id),
                    "new_browser_sign_in",
                    &who.email,
                    Some(&ip),
                )?;
                let lang = who.lang();
                let mail = crate::mail::messages::security_notice(
                    &who,
                    &who.zone(&platform_zone),
                    "mail-new-browser-subject",
                    vec![lang.t_args(
                        "mail-new-browser-where",
                        &[
                            ("browser", crate::support::browser_name(&agent).into()),
                            ("address", ip.clone().into()),
                        ],
                    )],
                )?;
                crate::models::outbox::enqueue(conn, &domain, &mail)?;
                Ok(true)
            })
        })
        .await?;
        if sent {
            ctx.state.mail_wakeup.notify_one();
        }
    }
    ctx.sign_in(user)?;
    ctx.remember_device(user.id);
    ctx.flash_text(
        "success",
        ctx.lang.t_args(
            "login-welcome",
            &[("name", user.display_name.as_str().into())],
        ),
    );
    Ok(())
}

pub async fn logout(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        let (id, email, ip) = (user.id, user.email.clone(), ctx.ip.clone());
        db::run(ctx.pool(), move |conn| {
            Ok(audit::record(
                conn,
                Some(id),
                audit::LOGOUT,
                &email,
                Some(&ip),
            )?)
        })
        .await?;
    }
    ctx.sign_out();
    Ok(see_other("/"))
}
