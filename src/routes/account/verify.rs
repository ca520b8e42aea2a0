use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Notice, VERIFY_TTL};
use crate::db::{self, write_tx};
use crate::domain::Email;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::messages;
use crate::models::{audit, outbox, tokens, users};
use crate::web::limits::{self, Action, Actor};
use crate::web::{Ctx, FormErrors, render, render_status};

/// Opens the link from the email: confirms the address once.
pub async fn confirm(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let ip = ctx.ip.clone();
    let confirmed = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let Some(user_id) = tokens::consume(conn, &token, tokens::VERIFY)? else {
                return Ok::<_, AppError>(None);
            };
            users::mark_verified(conn, user_id)?;
            let user = users::by_id(conn, user_id)?.ok_or(AppError::NotFound)?;
            audit::record(
                conn,
                Some(user_id),
                audit::EMAIL_VERIFIED,
                &user.email,
                Some(&ip),
            )?;
            Ok(Some(user))
        })
    })
    .await?;
    match confirmed {
        Some(_) => render(&Notice {
            ctx: &ctx,
            title: ctx.t("verify-done-title"),
            text: ctx.t("verify-done-text"),
            link: Some((
                if ctx.signed_in() { "/me" } else { "/login" }.into(),
                ctx.t(if ctx.signed_in() {
                    "nav-me"
                } else {
                    "nav-login"
                }),
            )),
        }),
        None => render_status(
            StatusCode::BAD_REQUEST,
            &Notice {
                ctx: &ctx,
                title: ctx.t("verify-invalid-title"),
                text: ctx.t("verify-invalid-text"),
                link: Some(("/verify/resend".into(), ctx.t("verify-resend-link"))),
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "account/resend.html")]
struct ResendPage<'a> {
    ctx: &'a Ctx,
    email: &'a str,
    errors: FormErrors,
}

pub async fn resend_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&ResendPage {
        ctx: &ctx,
        email: "",
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    email: String,
}

/// Sends a new link when the address belongs to an unconfirmed account;
/// the answer is the same either way.
pub async fn resend_submit(
    ctx: Ctx,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let Some(email) = errors.check(ctx.lang, "email", Email::parse(&form.email)) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResendPage {
                ctx: &ctx,
                email: &form.email,
                errors,
            },
        );
    };
    // Counted whether or not an account has the address, so the answer
    // tells nothing about it.
    if let Some(msg) = limits::check(&ctx, Action::Resends, Actor::Email(email.as_str())).await? {
        errors.add("email", msg);
        return render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ResendPage {
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
            if user.is_verified() || !user.is_active() {
                return Ok(());
            }
            let lang = user
                .locale
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(fallback);
            let token = tokens::issue(conn, user.id, tokens::VERIFY, VERIFY_TTL)?;
            let mail = messages::verify_email(
                lang,
                &user.email,
                &user.display_name,
                &format!("{base}/verify/{token}"),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            Ok(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("verify-resent-title"),
        text: ctx.t("verify-resent-text"),
        link: None,
    })
}
