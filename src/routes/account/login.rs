use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::domain::Email;
use crate::error::AppError;
use crate::models::{audit, now, users};
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
    Throttled,
    Failed,
    Unverified,
    SignedIn(Box<users::User>),
}

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

    let settings = ctx.state.settings.clone();
    let window =
        time::Duration::try_from(settings.login_window).unwrap_or(time::Duration::minutes(15));
    let max = settings.login_max_failures;
    let (ip, addr) = (ctx.ip.clone(), email.as_str().to_string());
    let (user, throttled) = db::run(ctx.pool(), move |conn| {
        let (by_account, by_ip) = audit::recent_failures(conn, &addr, &ip, now() - window)?;
        let user = users::by_email(conn, &addr)?;
        Ok((user, by_account >= max || by_ip >= max))
    })
    .await?;

    let outcome = if throttled {
        Outcome::Throttled
    } else {
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let ok = ctx.state.hasher.verify(form.password.clone(), hash).await?;
        match user {
            Some(u) if ok && u.is_active() => {
                if u.is_verified() {
                    Outcome::SignedIn(Box::new(u))
                } else {
                    Outcome::Unverified
                }
            }
            _ => Outcome::Failed,
        }
    };

    let (ip, addr) = (ctx.ip.clone(), email.as_str().to_string());
    match outcome {
        Outcome::Throttled => {
            let minutes = (settings.login_window.as_secs().div_ceil(60)) as i64;
            errors.add("email", ctx.tn("login-throttled", "minutes", minutes));
            page(errors, false, StatusCode::TOO_MANY_REQUESTS)
        }
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
            ctx.sign_in(&user)?;
            ctx.flash_text(
                "success",
                ctx.lang.t_args(
                    "login-welcome",
                    &[("name", user.display_name.as_str().into())],
                ),
            );
            Ok(see_other(&next))
        }
    }
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
