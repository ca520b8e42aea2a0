use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Notice, RESET_TTL};
use crate::db::{self, write_tx};
use crate::domain::{Email, NewPassword};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::messages;
use crate::models::{audit, outbox, sessions, tokens, users};
use crate::web::limits::{self, Action, Actor};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Template)]
#[template(path = "account/forgot.html")]
struct ForgotPage<'a> {
    ctx: &'a Ctx,
    email: &'a str,
    errors: FormErrors,
}

pub async fn forgot_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&ForgotPage {
        ctx: &ctx,
        email: "",
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Mails a reset link when the account exists; answers the same either way.
pub async fn forgot_submit(
    ctx: Ctx,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let Some(email) = errors.check(ctx.lang, "email", Email::parse(&form.email)) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                ctx: &ctx,
                email: &form.email,
                errors,
            },
        );
    };
    // Counted whether or not an account has the address, so the answer
    // tells nothing about it.
    if let Some(msg) = limits::check(&ctx, Action::Resets, Actor::Email(email.as_str())).await? {
        errors.add("email", msg);
        return render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ForgotPage {
                ctx: &ctx,
                email: &form.email,
                errors,
            },
        );
    }
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let fallback = ctx.lang;
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(user) = users::by_email(conn, email.as_str())? else {
                return Ok::<(), AppError>(());
            };
            if !user.is_active() {
                return Ok(());
            }
            let lang = user
                .locale
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(fallback);
            let token = tokens::issue(conn, user.id, tokens::RESET, RESET_TTL)?;
            let mail = messages::password_reset(
                lang,
                &user.email,
                &user.display_name,
                &format!("{base}/password/reset/{token}"),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("forgot-done-title"),
        text: ctx.t("forgot-done-text"),
        link: None,
    })
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage<'a> {
    ctx: &'a Ctx,
    token: &'a str,
    errors: FormErrors,
}

fn invalid_link(ctx: &Ctx) -> Result<HttpResponse, AppError> {
    render_status(
        StatusCode::BAD_REQUEST,
        &Notice {
            ctx,
            title: ctx.t("reset-invalid-title"),
            text: ctx.t("reset-invalid-text"),
            link: Some(("/password/forgot".into(), ctx.t("forgot-title"))),
        },
    )
}

pub async fn reset_form(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let t = token.clone();
    let valid = db::run(ctx.pool(), move |conn| {
        Ok(tokens::peek(conn, &t, tokens::RESET)?)
    })
    .await?;
    if valid.is_none() {
        return invalid_link(&ctx);
    }
    render(&ResetPage {
        ctx: &ctx,
        token: &token,
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Sets the new password, uses the token up and ends every session.
pub async fn reset_submit(
    ctx: Ctx,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let mut errors = FormErrors::new();
    let password = errors.check(ctx.lang, "password", NewPassword::parse(&form.password));
    if password.is_some() && form.password != form.confirm {
        errors.add("confirm", ctx.t("error-password-mismatch"));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage {
                ctx: &ctx,
                token: &token,
                errors,
            },
        );
    };
    let hash = ctx.state.hasher.hash(password.as_str().to_string()).await?;
    let ip = ctx.ip.clone();
    let done = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(user_id) = tokens::consume(conn, &token, tokens::RESET)? else {
                return Ok::<_, AppError>(false);
            };
            users::set_password(conn, user_id, &hash)?;
            // The link came by email, so the address is proven too.
            users::mark_verified(conn, user_id)?;
            sessions::end_all_but(conn, user_id, None)?;
            let user = users::by_id(conn, user_id)?.ok_or(AppError::NotFound)?;
            audit::record(
                conn,
                Some(user_id),
                audit::PASSWORD_RESET,
                &user.email,
                Some(&ip),
            )?;
            Ok(true)
        })
    })
    .await?;
    if !done {
        return invalid_link(&ctx);
    }
    // The session was purged with the others, so the sign-in page says it.
    ctx.sign_out();
    Ok(see_other("/login?reset=1"))
}
