use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::models::listings::Rating;
use crate::models::overview::Measure;
use crate::models::partners::{self, Partner};
use crate::models::{now, overview, tickets};
use crate::support::chart::{self, Bar};
use crate::support::stats::{duration_label, median};
use crate::web::{Ctx, render, see_other};
use time::{Date, PrimitiveDateTime};

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

/// The periods the overview's charts cover, in days.
pub const PERIODS: [i64; 4] = [7, 30, 90, 365];

#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// One chart: its key, title, bars, total and the change against the
/// period before (per cent), when there was anything before.
pub struct Trend {
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    pub bars: Vec<Bar>,
    pub total: i64,
    pub change: Option<i64>,
}

#[derive(Template)]
#[template(path = "partner/dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    stats: Stats,
    period: i64,
    periods: [i64; 4],
    trends: Vec<Trend>,
}

/// The starts of the periods' days (or weeks, for a year) on the reader's
/// clock, as instants in UTC: `n + 1` bounds for `n` bars, the last one
/// the coming midnight. With them, the same for the period before.
fn bounds(zone: &Zone, now: PrimitiveDateTime, days: i64) -> (Vec<PrimitiveDateTime>, Vec<Date>) {
    let today = zone.local(now).date();
    let step = if days > 90 { 7 } else { 1 };
    let bars = days / step;
    let end = today + time::Duration::days(1);
    let first = end - time::Duration::days(bars * step);
    let dates: Vec<Date> = (0..=bars)
        .map(|i| first + time::Duration::days(i * step))
        .collect();
    let instants = dates
        .iter()
        .map(|d| zone.to_utc(PrimitiveDateTime::new(*d, time::Time::MIDNIGHT)))
        .collect();
    (instants, dates)
}

fn change(now: i64, before: i64) -> Option<i64> {
    (before > 0).then(|| ((now - before) * 100) / before)
}

pub async fn dashboard(
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let period = q
        .period
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| PERIODS.contains(p))
        .unwrap_or(30);
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
    let trends = trends(&ctx, pid, period).await?;
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
        period,
        periods: PERIODS,
        trends,
    })
}

/// The overview's charts: requests, views, reviews and tickets per day
/// (per week over a year) on the reader's clock, each with the change
/// against the period before. Kept as long as the other figures.
async fn trends(ctx: &Ctx, pid: i64, period: i64) -> Result<Vec<Trend>, AppError> {
    let zone = ctx.zone.clone();
    let key = format!("trends:{pid}:{period}:{}", zone.name());
    let counts = ctx
        .state
        .trends
        .get_or_load(key, || {
            db::run(ctx.pool(), move |conn| {
                let (now_bounds, dates) = bounds(&zone, now(), period);
                // The period before: as many days, ending where this starts.
                let span = time::Duration::days(period);
                let before: Vec<PrimitiveDateTime> = vec![now_bounds[0] - span, now_bounds[0]];
                let mut out = Vec::new();
                for m in [Measure::Requests, Measure::Reviews, Measure::Tickets] {
                    let bars = overview::series(conn, pid, m, &now_bounds)?;
                    let prev = overview::series(conn, pid, m, &before)?[0];
                    out.push((m, bars, prev));
                }
                // Views are kept per UTC day: each day goes to the bar its
                // date falls in.
                let first = dates[0] - span;
                let last = *dates.last().unwrap_or(&dates[0]);
                let days = overview::views_by_day(conn, pid, first, last)?;
                let mut views = vec![0i64; dates.len().saturating_sub(1)];
                let mut views_before = 0;
                for (day, n) in days {
                    let Ok(d) = Date::parse(
                        &day,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    ) else {
                        continue;
                    };
                    if d < dates[0] {
                        views_before += n;
                    } else if let Some(i) = dates.windows(2).position(|w| w[0] <= d && d < w[1]) {
                        views[i] += n;
                    }
                }
                Ok((dates, out, views, views_before))
            })
        })
        .await?;
    let (dates, counted, views, views_before) = counts.as_ref();
    let label = |d: &Date| {
        ctx.lang
            .date(&PrimitiveDateTime::new(*d, time::Time::MIDNIGHT))
    };
    let labels: Vec<String> = dates
        .iter()
        .take(dates.len().saturating_sub(1))
        .map(label)
        .collect();
    let make = |id: &'static str, key: &str, values: &[i64], before: i64| {
        let bars: Vec<Bar> = labels
            .iter()
            .zip(values)
            .map(|(l, v)| Bar {
                label: l.clone(),
                value: *v,
            })
            .collect();
        let total: i64 = values.iter().sum();
        let title = ctx.t(key);
        let desc = ctx.t2("trend-desc", "what", &title, "total", ctx.number(&total));
        Trend {
            id,
            svg: chart::bars(id, &title, &desc, &bars),
            title,
            bars,
            total,
            change: change(total, before),
        }
    };
    let mut trends = Vec::new();
    for (m, bars, prev) in counted {
        let (id, key) = match m {
            Measure::Requests => ("requests", "trend-requests"),
            Measure::Reviews => ("reviews", "trend-reviews"),
            Measure::Tickets => ("tickets", "trend-tickets"),
        };
        trends.push(make(id, key, bars, *prev));
    }
    trends.insert(1, make("views", "trend-views", views, *views_before));
    Ok(trends)
}
