use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db;
use crate::error::AppError;
use crate::models::listings::Rating;
use crate::models::partners::{self, Partner};
use crate::models::{now, overview, tickets};
use crate::support::stats::{duration_label, median};
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
    pub engagements_30d: i64,
    /// Requests per hundred views over the last 30 days; `None` below
    /// `overview::MIN_VIEWS_FOR_CONVERSION` views.
    pub conversion: Option<i64>,
    pub min_views: i64,
    pub rating: Rating,
    pub open_tickets: i64,
    /// Median first response to the partner's tickets of the last 90 days,
    /// in business hours.
    pub first_response: Option<String>,
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
    let (pid, lang, zone) = (a.partner.id, ctx.lang, ctx.zone.clone());
    // The figures take a few aggregate reads over the partner's rows: kept
    // for a short while (AGORA_FIGURES_CACHE_SECONDS) per partner.
    let figures = ctx
        .state
        .overview
        .get_or_load(format!("overview:{pid}:{}", zone.name()), || {
            db::run(ctx.pool(), move |conn| {
                let mut o = overview::of_partner(conn, pid, now(), &zone)?;
                let cfg = tickets::sla_config(conn)?;
                let firsts: Vec<i64> = o
                    .first_responses
                    .iter()
                    .map(|(opened, answered)| cfg.hours.minutes_between(*opened, *answered))
                    .collect();
                o.first_responses.clear();
                Ok((o, median(&firsts)))
            })
        })
        .await?;
    let (o, first) = figures.as_ref();
    let stats = Stats {
        published: o.published,
        drafts: o.drafts,
        views_30d: o.views,
        engagements: o.requests,
        engagements_30d: o.requests_in_period,
        conversion: o.conversion(),
        min_views: overview::MIN_VIEWS_FOR_CONVERSION,
        rating: o.rating,
        open_tickets: o.open_tickets,
        first_response: first.map(|m| duration_label(lang, m)),
    };
    render(&DashboardPage {
        ctx: &ctx,
        a: &a,
        stats,
    })
}
