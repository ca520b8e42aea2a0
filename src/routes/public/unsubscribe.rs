//! Signed one-click unsubscribe links for optional emails. Today that is
//! the new-request email a partner gets; the link turns it off in the
//! partner's settings.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::{sign, signature_valid};
use crate::db;
use crate::error::AppError;
use crate::models::partners;
use crate::web::{Ctx, render, render_status};

fn message(partner_id: i64) -> String {
    format!("unsubscribe:engagements:{partner_id}")
}

pub fn engagement_link(base: &str, secret: &[u8], partner_id: i64) -> String {
    format!(
        "{base}/unsubscribe/engagements/{partner_id}/{}",
        sign(secret, &message(partner_id))
    )
}

#[derive(Template)]
#[template(path = "public/unsubscribe.html")]
struct UnsubscribePage<'a> {
    ctx: &'a Ctx,
    partner: &'a str,
    action: String,
    done: bool,
}

async fn partner(ctx: &Ctx, id: i64, sig: &str) -> Result<partners::Partner, AppError> {
    if !signature_valid(&ctx.state.settings.secret, &message(id), sig) {
        return Err(AppError::NotFound);
    }
    db::run(ctx.pool(), move |conn| {
        partners::by_id(conn, id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// Asks before turning the emails off (a link preview must not do it).
pub async fn confirm(ctx: Ctx, path: web::Path<(i64, String)>) -> Result<HttpResponse, AppError> {
    let (id, sig) = path.into_inner();
    let p = partner(&ctx, id, &sig).await?;
    render(&UnsubscribePage {
        ctx: &ctx,
        partner: &p.name,
        action: format!("/unsubscribe/engagements/{id}/{sig}"),
        done: !p.notify_engagements,
    })
}

/// Turns the emails off: from the page's button, or one click in a mail
/// client (RFC 8058).
pub async fn unsubscribe(
    ctx: Ctx,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, sig) = path.into_inner();
    let p = partner(&ctx, id, &sig).await?;
    db::run(ctx.pool(), move |conn| {
        Ok(partners::set_notify_engagements(conn, id, false)?)
    })
    .await?;
    render_status(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: &ctx,
            partner: &p.name,
            action: String::new(),
            done: true,
        },
    )
}
