use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access, access_and};
use crate::db;
use crate::domain::required_text;
use crate::error::AppError;
use crate::models::audit;
use crate::models::engagements::{self, PartnerView, Review};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, render, render_status, see_other};

#[derive(Template)]
#[template(path = "partner/engagements.html")]
struct EngagementsPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    rows: Vec<PartnerView>,
    pager: Pager,
}

/// Rows per page of the partner's requests and reviews.
pub const PAGE_SIZE: usize = 25;

pub async fn engagements(
    ctx: Ctx,
    slug: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let req = PageRequest::parse(&page, PAGE_SIZE);
    let (a, rows) = access_and(&ctx, &slug, db::Plans::Generic, move |conn, a| {
        Ok(engagements::for_partner(conn, a.partner.id, &req)?)
    })
    .await?;
    let pager = rows.pager(&format!("{}/engagements", a.base()), None);
    render(&EngagementsPage {
        ctx: &ctx,
        a: &a,
        rows: rows.items,
        pager,
    })
}

#[derive(Template)]
#[template(path = "partner/reviews.html")]
struct ReviewsPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    rows: Vec<(Review, Option<String>, String)>,
    pager: Pager,
    /// Where this page is in the list, sent back with a reply.
    current: PageParams,
    /// A reply that was refused: the review, the message, the text typed.
    refused: Option<(i64, String, String)>,
}

impl ReviewsPage<'_> {
    /// The text to show in a review's reply box.
    fn reply_text(&self, review: &Review) -> String {
        match &self.refused {
            Some((id, _, text)) if *id == review.id => text.clone(),
            _ => review.reply_body.clone().unwrap_or_default(),
        }
    }

    fn reply_error(&self, review: &Review) -> Option<String> {
        match &self.refused {
            Some((id, message, _)) if *id == review.id => Some(message.clone()),
            _ => None,
        }
    }
}

type ReviewRows = crate::web::paging::Page<(Review, Option<String>, String)>;

async fn reviews_page(
    ctx: &Ctx,
    a: &Access,
    current: PageParams,
    refused: Option<(i64, String, String)>,
) -> Result<HttpResponse, AppError> {
    let pid = a.partner.id;
    let req = PageRequest::parse(&current, PAGE_SIZE);
    let rows = db::run_planned(ctx.pool(), db::Plans::Generic, move |conn| {
        Ok(engagements::reviews_for_partner(conn, pid, &req)?)
    })
    .await?;
    render_reviews(ctx, a, rows, current, refused)
}

fn render_reviews(
    ctx: &Ctx,
    a: &Access,
    rows: ReviewRows,
    current: PageParams,
    refused: Option<(i64, String, String)>,
) -> Result<HttpResponse, AppError> {
    let pager = rows.pager(&format!("{}/reviews", a.base()), None);
    let rows = rows.items;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        status,
        &ReviewsPage {
            ctx,
            a,
            rows,
            pager,
            current,
            refused,
        },
    )
}

pub async fn reviews(
    ctx: Ctx,
    slug: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let current = page.into_inner();
    let req = PageRequest::parse(&current, PAGE_SIZE);
    let (a, rows) = access_and(&ctx, &slug, db::Plans::Generic, move |conn, a| {
        Ok(engagements::reviews_for_partner(conn, a.partner.id, &req)?)
    })
    .await?;
    render_reviews(&ctx, &a, rows, current, None)
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    reply: String,
    /// The page of reviews the reply was written on, to show it again.
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

/// One public reply per review; sending again edits it.
pub async fn reply(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let text = match required_text(&form.reply, 2000, "error-required", "error-too-long") {
        Ok(t) => t,
        Err(key) => {
            let current = PageParams {
                page: form.page.clone(),
                after: form.after.clone(),
            };
            return reviews_page(
                &ctx,
                &a,
                current,
                Some((id, ctx.t(key), form.reply.clone())),
            )
            .await;
        }
    };
    let pid = a.partner.id;
    let links = ctx.mail_links();
    let n = db::run(ctx.pool(), move |conn| {
        crate::db::write_tx(conn, |conn| {
            let set = engagements::set_reply(conn, pid, id, &text)?;
            if set == Some(true) {
                crate::mail::notify::review_replied(conn, &links, pid, id)?;
            }
            Ok::<_, AppError>(set.is_some())
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    if !n {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "review-reply-saved");
    Ok(see_other(&format!("{}/reviews", a.base())))
}

#[derive(Deserialize)]
pub struct RequestReplyForm {
    #[serde(default)]
    reply: String,
}

/// Any member answers a request once; the platform passes the answer on
/// to the consumer (who need not have shared their address).
pub async fn reply_request(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RequestReplyForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let base = a.base();
    let text = match required_text(&form.reply, 2000, "error-required", "error-too-long") {
        Ok(t) => t,
        Err(key) => {
            ctx.flash("error", key);
            return Ok(see_other(&format!("{base}/engagements#request-{id}")));
        }
    };
    let (pid, actor, ip, links) = (
        a.partner.id,
        ctx.require_user()?.id,
        ctx.ip.clone(),
        ctx.mail_links(),
    );
    let n = db::run(ctx.pool(), move |conn| {
        crate::db::write_tx(conn, |conn| {
            let n = engagements::set_request_reply(conn, pid, id, &text)?;
            if n > 0 {
                audit::record(
                    conn,
                    Some(actor),
                    "request_replied",
                    &format!("engagement:{id}"),
                    Some(&ip),
                )?;
                crate::mail::notify::request_replied(conn, &links, id)?;
            }
            Ok::<_, AppError>(n)
        })
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.state.mail_wakeup.notify_one();
    ctx.flash("success", "request-reply-sent");
    Ok(see_other(&format!("{base}/engagements")))
}
