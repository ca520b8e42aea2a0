use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access};
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::models::{audit, partners, search};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    description: String,
    /// A checkbox: present when ticked.
    notify_engagements: Option<String>,
}

#[derive(Template)]
#[template(path = "partner/settings.html")]
struct SettingsPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    form: &'a SettingsForm,
    errors: FormErrors,
}

pub async fn form(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let p = &a.partner;
    let form = SettingsForm {
        name: p.name.clone(),
        website: p.website.clone(),
        contact_email: p.contact_email.clone(),
        description: p.description.clone(),
        notify_engagements: p.notify_engagements.then(|| "on".to_string()),
    };
    render(&SettingsPage {
        ctx: &ctx,
        a: &a,
        form: &form,
        errors: FormErrors::new(),
    })
}

pub async fn submit(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    a.require_manager()?;
    let lang = ctx.lang;
    let mut e = FormErrors::new();
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
            &SettingsPage {
                ctx: &ctx,
                a: &a,
                form: &form,
                errors: e,
            },
        );
    };
    let notify = form.notify_engagements.is_some();
    let (pid, renamed, actor, ip) = (
        a.partner.id,
        a.partner.name != name,
        ctx.require_user()?.id,
        ctx.ip.clone(),
    );
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            partners::update_profile(
                conn,
                pid,
                &name,
                &website,
                &description,
                contact.as_str(),
                notify,
            )?;
            if renamed {
                search::reindex_partner(conn, pid)?;
            }
            audit::record(
                conn,
                Some(actor),
                "partner_settings_changed",
                &format!("partner:{pid}"),
                Some(&ip),
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.flash("success", "settings-saved");
    Ok(see_other(&format!("{}/settings", a.base())))
}

#[derive(Deserialize)]
pub struct TwoStepForm {
    /// A checkbox: present when ticked.
    required: Option<String>,
}

/// Owners only: ask (or stop asking) every member for two-step sign-in.
/// An owner turns it on only with two steps of their own, so the setting
/// cannot lock its own maker out.
pub async fn two_step(
    ctx: Ctx,
    slug: web::Path<String>,
    form: web::Form<TwoStepForm>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    if a.role != partners::Role::Owner {
        return Err(AppError::Forbidden);
    }
    let on = form.required.is_some();
    let (pid, actor, ip) = (a.partner.id, ctx.require_user()?.id, ctx.ip.clone());
    let done = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            if on && !crate::models::two_step::enabled(conn, actor)? {
                return Ok::<_, AppError>(false);
            }
            partners::set_require_two_step(conn, pid, on)?;
            audit::record(
                conn,
                Some(actor),
                if on {
                    "partner_two_step_required"
                } else {
                    "partner_two_step_not_required"
                },
                &format!("partner:{pid}"),
                Some(&ip),
            )?;
            Ok(true)
        })
    })
    .await?;
    if done {
        ctx.flash("success", "settings-saved");
    } else {
        ctx.flash("error", "settings-two-step-yourself-first");
    }
    Ok(see_other(&format!("{}/settings", a.base())))
}
