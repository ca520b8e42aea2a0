//! Admin pages for people and records: users (staff flag, disable), the
//! audit log, and the email outbox.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_admin;
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::models::audit::Event;
use crate::models::outbox::{self, OutgoingEmail};
use crate::models::users::User;
use crate::models::{audit, sessions, users};
use crate::web::{Ctx, render, see_other};

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    q: &'a str,
    users: Vec<User>,
}

pub async fn users(ctx: Ctx, s: web::Query<Search>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let q = s.q.clone();
    let list = db::run(ctx.pool(), move |conn| Ok(users::search(conn, &q)?)).await?;
    render(&UsersPage {
        ctx: &ctx,
        q: &s.q,
        users: list,
    })
}

#[derive(Deserialize)]
pub struct UserAction {
    action: String,
}

/// Gives or takes the staff flag, disables or enables an account.
/// Disabling ends the person's sessions; nobody disables themselves.
pub async fn change_user(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<UserAction>,
) -> Result<HttpResponse, AppError> {
    let admin = require_admin(&ctx)?.id;
    let id = id.into_inner();
    if id == admin && matches!(form.action.as_str(), "disable" | "remove_staff") {
        ctx.flash("error", "admin-user-self");
        return Ok(see_other("/admin/users"));
    }
    let action = form.action.clone();
    let ip = ctx.ip.clone();
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let n = match action.as_str() {
                "make_staff" => users::set_staff(conn, id, true)?,
                "remove_staff" => users::set_staff(conn, id, false)?,
                "disable" => {
                    let n = users::set_disabled(conn, id, true)?;
                    sessions::end_all_but(conn, id, None)?;
                    n
                }
                "enable" => users::set_disabled(conn, id, false)?,
                _ => return Err(AppError::BadRequest),
            };
            if n == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(
                conn,
                Some(admin),
                &format!("user_{action}"),
                &format!("user:{id}"),
                Some(&ip),
            )?;
            Ok(())
        })
    })
    .await?;
    ctx.flash("success", "admin-user-updated");
    Ok(see_other("/admin/users"))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    ctx: &'a Ctx,
    q: &'a str,
    events: Vec<(Event, Option<String>)>,
}

pub async fn audit_log(ctx: Ctx, s: web::Query<Search>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let q = s.q.trim().to_string();
    let events = db::run(ctx.pool(), move |conn| Ok(audit::recent(conn, &q)?)).await?;
    render(&AuditPage {
        ctx: &ctx,
        q: &s.q,
        events,
    })
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage<'a> {
    ctx: &'a Ctx,
    failed: Vec<OutgoingEmail>,
    queued: Vec<OutgoingEmail>,
}

pub async fn outbox_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let (failed, queued) = db::run(ctx.pool(), |conn| {
        Ok((
            outbox::by_status(conn, outbox::FAILED)?,
            outbox::by_status(conn, outbox::QUEUED)?,
        ))
    })
    .await?;
    render(&OutboxPage {
        ctx: &ctx,
        failed,
        queued,
    })
}

pub async fn retry(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let admin = require_admin(&ctx)?.id;
    let id = id.into_inner();
    let ip = ctx.ip.clone();
    let n = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let n = outbox::retry_failed(conn, id)?;
            if n > 0 {
                audit::record(
                    conn,
                    Some(admin),
                    "email_retried",
                    &format!("email:{id}"),
                    Some(&ip),
                )?;
            }
            Ok::<_, AppError>(n)
        })
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "admin-email-retried");
    Ok(see_other("/admin/outbox"))
}
