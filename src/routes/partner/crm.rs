use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access};
use crate::db;
use crate::domain::required_text;
use crate::error::AppError;
use crate::models::engagements::{self, PartnerView, Review};
use crate::web::{Ctx, render, see_other};

#[derive(Template)]
#[template(path = "partner/engagements.html")]
struct EngagementsPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    rows: Vec<PartnerView>,
}

pub async fn engagements(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let pid = a.partner.id;
    let rows = db::run(ctx.pool(), move |conn| {
        Ok(engagements::for_partner(conn, pid)?)
    })
    .await?;
    render(&EngagementsPage {
        ctx: &ctx,
        a: &a,
        rows,
    })
}

#[derive(Template)]
#[template(path = "partner/reviews.html")]
struct ReviewsPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    rows: Vec<(Review, String, String)>,
}

pub async fn reviews(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let pid = a.partner.id;
    let rows = db::run(ctx.pool(), move |conn| {
        Ok(engagements::reviews_for_partner(conn, pid)?)
    })
    .await?;
    render(&ReviewsPage {
        ctx: &ctx,
        a: &a,
        rows,
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    reply: String,
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
            ctx.flash("error", key);
            return Ok(see_other(&format!("{}/reviews", a.base())));
        }
    };
    let pid = a.partner.id;
    let n = db::run(ctx.pool(), move |conn| {
        Ok(engagements::set_reply(conn, pid, id, &text)?)
    })
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "review-reply-saved");
    Ok(see_other(&format!("{}/reviews", a.base())))
}
