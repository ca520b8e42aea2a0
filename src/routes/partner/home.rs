use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db;
use crate::error::AppError;
use crate::models::listings::{self, Rating};
use crate::models::partners::{self, Partner};
use crate::models::{engagements, now};
use crate::web::{Ctx, render, see_other};

#[derive(Template)]
#[template(path = "partner/index.html")]
struct IndexPage<'a> {
    ctx: &'a Ctx,
    partners: Vec<(Partner, String)>,
}

/// The partners the person belongs to; with one, straight to it.
pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let id = ctx.require_user()?.id;
    let list = db::run(ctx.pool(), move |conn| Ok(partners::of_user(conn, id)?)).await?;
    if list.len() == 1 {
        return Ok(see_other(&format!("/partner/{}", list[0].0.slug)));
    }
    render(&IndexPage {
        ctx: &ctx,
        partners: list,
    })
}

pub struct Stats {
    pub published: i64,
    pub drafts: i64,
    pub views_30d: i64,
    pub engagements: i64,
    pub rating: Rating,
}

#[derive(Template)]
#[template(path = "partner/dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    stats: Stats,
}

pub async fn dashboard(ctx: Ctx, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let pid = a.partner.id;
    let stats = db::run(ctx.pool(), move |conn| {
        let own = listings::of_partner(conn, pid)?;
        let ids: Vec<i64> = own.iter().map(|l| l.id).collect();
        let since = (now().date() - time::Duration::days(30)).to_string();
        let views = listings::views_since(conn, &ids, &since)?;
        Ok(Stats {
            published: own.iter().filter(|l| l.is_published()).count() as i64,
            drafts: own.iter().filter(|l| l.status == listings::DRAFT).count() as i64,
            views_30d: views.values().sum(),
            engagements: engagements::count_for_partner(conn, pid)?,
            rating: listings::partner_rating(conn, pid)?,
        })
    })
    .await?;
    render(&DashboardPage {
        ctx: &ctx,
        a: &a,
        stats,
    })
}
