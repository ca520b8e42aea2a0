//! The consumer's own data: a JSON export of everything kept about them,
//! and deleting the account.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Notice;
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::mail::messages;
use crate::models::partners::{self, Role};
use crate::models::{audit, export, outbox, users};
use crate::web::{Ctx, FormErrors, render, render_status};

/// Everything kept about the signed-in person, as a JSON download.
/// Internal notes of the support team are not part of it.
pub async fn export(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let ip = ctx.ip.clone();
    let data = db::run(ctx.pool(), move |conn| {
        let uid = user.id;
        let data = export::collect(conn, user)?;
        audit::record(
            conn,
            Some(uid),
            "data_exported",
            &format!("user:{uid}"),
            Some(&ip),
        )?;
        Ok(data)
    })
    .await?;
    let body = serde_json::to_string_pretty(&data)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"agora-my-data.json\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage<'a> {
    ctx: &'a Ctx,
    errors: FormErrors,
}

pub async fn delete_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    render(&DeletePage {
        ctx: &ctx,
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    confirm: Option<String>,
}

/// Deletes the account after the password and an explicit confirmation;
/// refused while the person is the last owner of a partner. A confirmation
/// email goes out in the same transaction.
pub async fn delete_submit(
    ctx: Ctx,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let mut errors = FormErrors::new();
    let ok = ctx
        .state
        .hasher
        .verify(form.password.clone(), Some(user.password_hash.clone()))
        .await?;
    if !ok {
        errors.add("password", ctx.t("error-current-password"));
    }
    if form.confirm.is_none() {
        errors.add("confirm", ctx.t("error-delete-confirm"));
    }
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DeletePage { ctx: &ctx, errors },
        );
    }
    let domain = ctx.state.mail_domain();
    let lang = ctx.lang;
    let ip = ctx.ip.clone();
    let blocked = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            // Lock each team (in one order, so two deletions cannot wait
            // on each other), then check the roles as they are now: a
            // co-owner stepping down at this moment waits or is seen.
            let mut teams = partners::of_user(conn, user.id)?;
            teams.sort_by_key(|(p, _)| p.id);
            for (p, _) in &teams {
                partners::lock_team(conn, p.id)?;
            }
            for (p, _) in &teams {
                if partners::role_of(conn, p.id, user.id)? == Some(Role::Owner)
                    && partners::count_owners(conn, p.id)? <= 1
                {
                    return Ok::<_, AppError>(Some(p.name.clone()));
                }
            }
            // Invitations they sent and nobody accepted stop working.
            partners::revoke_invitations_by(conn, user.id)?;
            let mail = messages::account_deleted(lang, &user.email, &user.display_name)?;
            outbox::enqueue(conn, &domain, &mail)?;
            audit::record(
                conn,
                None,
                "account_deleted",
                &format!("user:{}", user.id),
                Some(&ip),
            )?;
            // Their reviews go with them: the stored averages follow.
            let rated = crate::models::engagements::listings_reviewed_by(conn, user.id)?;
            crate::models::consents::withdraw_all(conn, user.id)?;
            users::delete(conn, user.id)?;
            for listing_id in rated {
                crate::models::listings::refresh_rating(conn, listing_id)?;
            }
            Ok(None)
        })
    })
    .await?;
    if let Some(partner) = blocked {
        errors.add(
            "confirm",
            ctx.t1("error-delete-last-owner", "partner", partner),
        );
        return render_status(StatusCode::CONFLICT, &DeletePage { ctx: &ctx, errors });
    }
    ctx.state.mail_wakeup.notify_one();
    crate::routes::desk::menus_changed(&ctx.state);
    ctx.sign_out();
    // The page after is drawn for nobody signed in.
    let mut ctx = ctx;
    ctx.user = None;
    render(&Notice {
        ctx: &ctx,
        title: ctx.t("delete-done-title"),
        text: ctx.t("delete-done-text"),
        link: Some(("/".into(), ctx.t("error-home-link"))),
    })
}
