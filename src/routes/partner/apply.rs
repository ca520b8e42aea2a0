use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, write_tx_retrying};
use crate::error::AppError;
use crate::models::{audit, partners};
use crate::routes::account::Notice;
use crate::web::limits::{self, Action, Actor};
use crate::web::{Ctx, FormErrors, render, render_status};

#[derive(Deserialize, Default)]
pub struct ApplyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "partner/apply.html")]
struct ApplyPage<'a> {
    ctx: &'a Ctx,
    form: &'a ApplyForm,
    errors: FormErrors,
}

pub async fn form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let form = ApplyForm {
        contact_email: user.email.clone(),
        ..ApplyForm::default()
    };
    render(&ApplyPage {
        ctx: &ctx,
        form: &form,
        errors: FormErrors::new(),
    })
}

pub async fn submit(ctx: Ctx, form: web::Form<ApplyForm>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let mut e = FormErrors::new();
    let lang = ctx.lang;
    let profile = super::Profile::parse(
        lang,
        &mut e,
        &form.name,
        &form.website,
        &form.contact_email,
        &form.description,
    );
    let Some(super::Profile {
        name,
        website,
        contact,
        description,
    }) = profile
    else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ApplyPage {
                ctx: &ctx,
                form: &form,
                errors: e,
            },
        );
    };
    if let Some(msg) = limits::check(&ctx, Action::Applications, Actor::Account(user.id)).await? {
        e.add("name", msg);
        return render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ApplyPage {
                ctx: &ctx,
                form: &form,
                errors: e,
            },
        );
    }
    let ip = ctx.ip.clone();
    // Two applications with one name at once: the rerun picks a free slug.
    db::run(ctx.pool(), move |conn| {
        write_tx_retrying(conn, |conn| {
            let p = partners::apply(
                conn,
                &partners::Application {
                    name: &name,
                    website: &website,
                    description: &description,
                    contact_email: contact.as_str(),
                    applicant_id: user.id,
                },
            )?;
            audit::record(
                conn,
                Some(user.id),
                "partner_applied",
                &format!("partner:{}", p.id),
                Some(&ip),
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("apply-done-title"),
        text: ctx.t("apply-done-text"),
        link: Some(("/".into(), ctx.t("error-home-link"))),
    })
}
