//! Tickets about the partner's listings: the public thread and public
//! replies, labelled with the partner's name. Internal notes never show.
//! The requester's name and email address show only while their consent
//! to this partner stands (checked on every page); otherwise "a consumer"
//! and the ticket number.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access, access_and};
use crate::db::{self, write_tx};
use crate::domain::required_text;
use crate::error::AppError;
use crate::models::tickets::{self, Contact, MessageView, Ticket, Writer};
use crate::support;
use crate::web::limits::{self, Action, Actor};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

pub const PAGE_SIZE: usize = 25;

#[derive(Template)]
#[template(path = "partner/tickets.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    tickets: Vec<(Ticket, Option<Contact>)>,
    pager: Pager,
}

/// Tickets about the partner, newest first, a page at a time.
pub async fn list(
    ctx: Ctx,
    slug: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let req = PageRequest::parse(&params, PAGE_SIZE);
    let (a, page) = access_and(&ctx, &slug, db::Plans::Generic, move |conn, a| {
        Ok(tickets::partner_rows(conn, a.partner.id, &req)?)
    })
    .await?;
    let pager = page.pager(&format!("{}/tickets", a.base()), None);
    render(&ListPage {
        ctx: &ctx,
        a: &a,
        tickets: page.items,
        pager,
    })
}

#[derive(Template)]
#[template(path = "partner/ticket.html")]
struct ShowPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    t: &'a Ticket,
    /// The requester's name and email address, where consent stands.
    requester: Option<Contact>,
    thread: Vec<MessageView>,
    draft: &'a str,
    errors: FormErrors,
}

/// A ticket about this partner; any other is a 404.
async fn load(ctx: &Ctx, a: &Access, number: i64) -> Result<Ticket, AppError> {
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        tickets::by_number(conn, number)?
            .filter(|t| t.partner_id == Some(pid))
            .ok_or(AppError::NotFound)
    })
    .await
}

async fn page(
    ctx: &Ctx,
    a: &Access,
    t: &Ticket,
    draft: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (pid, tt, anonymous) = (a.partner.id, t.clone(), ctx.t("consent-a-consumer"));
    let (requester, thread) = db::run(ctx.pool(), move |conn| {
        Ok((
            tickets::requester_for_partner(conn, pid, tt.requester_id)?,
            tickets::messages_for_partner(conn, &tt, pid, &anonymous)?,
        ))
    })
    .await?;
    render_status(
        status,
        &ShowPage {
            ctx,
            a,
            t,
            requester,
            thread,
            draft,
            errors,
        },
    )
}

pub async fn show(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let t = load(&ctx, &a, number).await?;
    page(&ctx, &a, &t, "", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn reply(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let t = load(&ctx, &a, number).await?;
    let rules = ctx.state.settings.attachments.clone();
    let mut sent =
        crate::web::upload::read(&req, payload, &rules, ctx.state.settings.body_timeout).await?;
    let form = ReplyForm {
        body: sent.field("body"),
    };
    let mut e = FormErrors::new();
    if let Some(refusal) = sent.refusal(ctx.lang) {
        e.add("files", refusal);
        return page(
            &ctx,
            &a,
            &t,
            &form.body,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some(body) = e.check(
        ctx.lang,
        "body",
        required_text(&form.body, 10000, "error-required", "error-too-long"),
    ) else {
        return page(
            &ctx,
            &a,
            &t,
            &form.body,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if t.is_closed() {
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return page(&ctx, &a, &t, &form.body, e, StatusCode::CONFLICT).await;
    }
    let user_id = ctx.require_user()?.id;
    if let Some(msg) = limits::check(&ctx, Action::Replies, Actor::Account(user_id)).await? {
        e.add("body", msg);
        return page(&ctx, &a, &t, &form.body, e, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let (pid, pname) = (a.partner.id, a.partner.name.clone());
    let links = ctx.mail_links();
    let tid = t.id;
    let files = sent.keep(ctx.pool(), &rules).await?;
    let sent = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, tid)?;
            let cfg = tickets::sla_config(conn)?;
            let writer = Writer::Partner(user_id, pid);
            let sent = support::reply(
                conn, &links, &t, &writer, &pname, &body, false, &cfg, &files,
            )?;
            Ok::<_, AppError>(sent.is_some())
        })
    })
    .await?;
    if !sent {
        // Closed meanwhile: the draft stays in the box.
        let t = load(&ctx, &a, number).await?;
        e.add("body", ctx.t("ticket-closed-no-reply"));
        return page(&ctx, &a, &t, &form.body, e, StatusCode::CONFLICT).await;
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "ticket-reply-sent");
    Ok(see_other(&format!("{}/tickets/{number}", a.base())))
}
