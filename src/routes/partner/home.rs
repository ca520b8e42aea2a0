use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db;
use crate::error::AppError;
use crate::models::listings::{self, Rating};
use crate::models::partners::{self, Partner};
use crate::models::{engagements, now, tickets};
use crate::support::stats::{duration_label, median, percent};
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
    /// Requests per hundred views over the last 30 days.
    pub conversion: Option<i64>,
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
    let (pid, lang) = (a.partner.id, ctx.lang);
    let stats = db::run(ctx.pool(), move |conn| {
        let own = listings::of_partner(conn, pid)?;
        let ids: Vec<i64> = own.iter().map(|l| l.id).collect();
        let since = (now().date() - time::Duration::days(30)).to_string();
        let views = listings::views_since(conn, &ids, &since)?;
        let views_30d: i64 = views.values().sum();
        let engagements_30d =
            engagements::count_for_partner_since(conn, pid, now() - time::Duration::days(30))?;
        let cfg = tickets::sla_config(conn)?;
        let rows = tickets::of_partner(conn, pid)?;
        let open_tickets = rows
            .iter()
            .filter(|r| r.ticket.status().is_active())
            .count() as i64;
        let recent = now() - time::Duration::days(90);
        let firsts: Vec<i64> = rows
            .iter()
            .filter(|r| r.ticket.created_at >= recent)
            .filter_map(|r| {
                Some(
                    cfg.hours
                        .minutes_between(r.ticket.created_at, r.ticket.first_response_at?),
                )
            })
            .collect();
        Ok(Stats {
            published: own.iter().filter(|l| l.is_published()).count() as i64,
            drafts: own.iter().filter(|l| l.status == listings::DRAFT).count() as i64,
            views_30d,
            engagements: engagements::count_for_partner(conn, pid)?,
            engagements_30d,
            conversion: percent(engagements_30d as usize, views_30d as usize),
            rating: listings::partner_rating(conn, pid)?,
            open_tickets,
            first_response: median(&firsts).map(|m| duration_label(lang, m)),
        })
    })
    .await?;
    render(&DashboardPage {
        ctx: &ctx,
        a: &a,
        stats,
    })
}
