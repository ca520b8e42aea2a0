use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db;
use crate::error::AppError;
use crate::models::consents::{self, ConsentLine};
use crate::routes::public::engage::set_consent;
use crate::web::{Ctx, render, see_other};

#[derive(Template)]
#[template(path = "account/privacy.html")]
struct PrivacyPage<'a> {
    ctx: &'a Ctx,
    lines: Vec<ConsentLine>,
}

/// What each partner may know of the person, with a switch per partner.
pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let id = ctx.require_user()?.id;
    let lines = db::run(ctx.pool(), move |conn| Ok(consents::of_consumer(conn, id)?)).await?;
    render(&PrivacyPage { ctx: &ctx, lines })
}

pub async fn withdraw(ctx: Ctx, partner_id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    change(ctx, partner_id.into_inner(), false).await
}

pub async fn give(ctx: Ctx, partner_id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    change(ctx, partner_id.into_inner(), true).await
}

async fn change(ctx: Ctx, partner_id: i64, give: bool) -> Result<HttpResponse, AppError> {
    let id = ctx.require_user()?.id;
    let known = db::run(ctx.pool(), move |conn| {
        Ok(consents::of_consumer(conn, id)?
            .iter()
            .any(|l| l.partner_id == partner_id))
    })
    .await?;
    if !known {
        return Err(AppError::NotFound);
    }
    set_consent(&ctx, id, partner_id, give).await?;
    Ok(see_other("/me/privacy"))
}
