//! Admin pages for people and records: users (staff flag, disable), the
//! audit log, and the email outbox.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_admin;
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::error::url_encode;
use crate::models::audit::Event;
use crate::models::outbox::{self, OutgoingEmail};
use crate::models::users::User;
use crate::models::{audit, sessions, users};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, render, see_other};

pub const PAGE_SIZE: usize = 50;

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    q: String,
    page: Option<String>,
    after: Option<String>,
}

impl Search {
    fn request(&self) -> PageRequest {
        PageRequest::parse(
            &PageParams {
                page: self.page.clone(),
                after: self.after.clone(),
            },
            PAGE_SIZE,
        )
    }

    /// `path` with the search, for the pager.
    fn base(&self, path: &str) -> String {
        if self.q.trim().is_empty() {
            path.to_string()
        } else {
            format!("{path}?q={}", url_encode(&self.q))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    q: &'a str,
    users: Vec<User>,
    pager: Pager,
}

pub async fn users(ctx: Ctx, s: web::Query<Search>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let (q, req) = (s.q.clone(), s.request());
    // A search may read many accounts before it fills a page.
    let short = q.trim().is_empty();
    let page = db::read_if(ctx.pool(), short, move |conn| {
        Ok(users::search_page(conn, &q, &req)?)
    })
    .await?;
    render(&UsersPage {
        ctx: &ctx,
        q: &s.q,
        pager: page.pager(&s.base("/admin/users"), None),
        users: page.items,
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
    crate::routes::desk::menus_changed(&ctx.state);
    ctx.flash("success", "admin-user-updated");
    Ok(see_other("/admin/users"))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    ctx: &'a Ctx,
    q: &'a str,
    events: Vec<(Event, Option<String>)>,
    pager: Pager,
}

pub async fn audit_log(ctx: Ctx, s: web::Query<Search>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let (q, req) = (s.q.trim().to_string(), s.request());
    let page = db::run(ctx.pool(), move |conn| {
        Ok(audit::recent_page(conn, &q, &req)?)
    })
    .await?;
    render(&AuditPage {
        ctx: &ctx,
        q: &s.q,
        pager: page.pager(&s.base("/admin/audit"), None),
        events: page.items,
    })
}

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    page: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage<'a> {
    ctx: &'a Ctx,
    /// Which list: `failed`, `queued` or `received`.
    tab: &'a str,
    failed: bool,
    messages: Vec<OutgoingEmail>,
    received: Vec<crate::mail::inbound::Logged>,
    pager: Pager,
}

impl OutboxPage<'_> {
    fn on(&self, tab: &str) -> bool {
        self.tab == tab
    }
}

/// The failed messages, or with `?status=queued` those waiting, or with
/// `?status=received` the email received.
pub async fn outbox_page(ctx: Ctx, q: web::Query<OutboxQuery>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let params = PageParams {
        page: q.page.clone(),
        after: q.after.clone(),
    };
    if q.status == "received" {
        let req = PageRequest::parse(&params, PAGE_SIZE);
        let page = db::run(ctx.pool(), move |conn| {
            Ok(crate::mail::inbound::page(conn, &req)?)
        })
        .await?;
        return render(&OutboxPage {
            ctx: &ctx,
            tab: "received",
            failed: false,
            messages: Vec::new(),
            pager: page.pager("/admin/outbox?status=received", None),
            received: page.items,
        });
    }
    let failed = q.status != outbox::QUEUED;
    let status = if failed {
        outbox::FAILED
    } else {
        outbox::QUEUED
    };
    let req = PageRequest::parse(
        &PageParams {
            page: q.page.clone(),
            after: q.after.clone(),
        },
        PAGE_SIZE,
    );
    let page = db::run(ctx.pool(), move |conn| {
        Ok(outbox::page_by_status(conn, status, &req)?)
    })
    .await?;
    let base = if failed {
        "/admin/outbox".to_string()
    } else {
        format!("/admin/outbox?status={}", outbox::QUEUED)
    };
    render(&OutboxPage {
        ctx: &ctx,
        tab: if failed { "failed" } else { "queued" },
        failed,
        pager: page.pager(&base, None),
        messages: page.items,
        received: Vec::new(),
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
