use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Notice, VERIFY_TTL};
use crate::db::{self, write_tx_retrying};
use crate::domain::{DisplayName, Email, NewPassword};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::{audit, now, outbox, tokens, users};
use crate::web::limits::{self, Action, Actor};
use crate::web::{Ctx, FormErrors, render, render_status};

#[derive(Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    /// The browser's time zone, filled in by the page's script; a
    /// suggestion, kept only when it names a zone.
    #[serde(default)]
    time_zone: String,
}

#[derive(Template)]
#[template(path = "account/signup.html")]
struct SignupPage<'a> {
    ctx: &'a Ctx,
    email: &'a str,
    display_name: &'a str,
    errors: FormErrors,
}

pub async fn form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if ctx.signed_in() {
        return Ok(crate::web::see_other("/me"));
    }
    render(&SignupPage {
        ctx: &ctx,
        email: "",
        display_name: "",
        errors: FormErrors::new(),
    })
}

pub async fn submit(ctx: Ctx, form: web::Form<SignupForm>) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let email = errors.check(ctx.lang, "email", Email::parse(&form.email));
    let name = errors.check(
        ctx.lang,
        "display_name",
        DisplayName::parse(&form.display_name),
    );
    let password = errors.check(ctx.lang, "password", NewPassword::parse(&form.password));
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignupPage {
                ctx: &ctx,
                email: &form.email,
                display_name: &form.display_name,
                errors,
            },
        );
    };
    // Every sign-up mails the address given (a confirmation, or a note to
    // its owner): counted per address asked for and per client address,
    // before any hashing, whether or not an account has it.
    if let Some(msg) = limits::check(&ctx, Action::Signups, Actor::Email(email.as_str())).await? {
        errors.add("email", msg);
        return render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &SignupPage {
                ctx: &ctx,
                email: &form.email,
                display_name: &form.display_name,
                errors,
            },
        );
    }
    // Hash in every case, so a known address answers as slowly as a new one.
    let hash = ctx.state.hasher.hash(password.as_str().to_string()).await?;
    let lang = ctx.lang;
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let ip = ctx.ip.clone();
    let zone = crate::domain::zone::Zone::named(&form.time_zone).map(|z| z.name().to_string());
    // Sent twice at once, the second finds the account the first made and
    // answers as for any known address.
    db::run(ctx.pool(), move |conn| {
        write_tx_retrying(conn, |conn| {
            if let Some(existing) = users::by_email(conn, email.as_str())? {
                let lang = existing
                    .locale
                    .as_deref()
                    .and_then(crate::i18n::Lang::from_code)
                    .unwrap_or(lang);
                let mail = messages::signup_existing(
                    lang,
                    &existing.email,
                    &existing.display_name,
                    &format!("{base}/login"),
                    &format!("{base}/password/forgot"),
                )?;
                outbox::enqueue(conn, &domain, &mail)?;
                return Ok(());
            }
            let t = now();
            let user = users::insert(
                conn,
                &users::NewUser {
                    email: email.as_str(),
                    display_name: name.as_str(),
                    password_hash: &hash,
                    locale: Some(lang.code()),
                    email_verified_at: None,
                    is_staff: false,
                    is_admin: false,
                    created_at: t,
                    updated_at: t,
                },
            )?;
            if let Some(zone) = &zone {
                users::set_time_zone(conn, user.id, zone)?;
            }
            let token = tokens::issue(conn, user.id, tokens::VERIFY, VERIFY_TTL)?;
            let mail = messages::verify_email(
                lang,
                &user.email,
                &user.display_name,
                &format!("{base}/verify/{token}"),
            )?;
            outbox::enqueue(conn, &domain, &mail)?;
            audit::record(conn, Some(user.id), audit::SIGNUP, &user.email, Some(&ip))?;
            Ok::<(), AppError>(())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("signup-done-title"),
        text: ctx.t("signup-done-text"),
        link: Some(("/verify/resend".into(), ctx.t("verify-resend-link"))),
    })
}
