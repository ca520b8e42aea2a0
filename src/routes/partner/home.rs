use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Access, access};
use crate::db;
use crate::error::AppError;
use crate::models::listings::Rating;
use crate::models::overview::Measure;
use crate::models::overview::{TopListing, TrendData};
use crate::models::partners::{self, Partner};
use crate::models::{now, overview, tickets};
use crate::support::stats::{duration_label, median};
use crate::web::trend::{self, Buckets, PERIODS, PeriodQuery, Series, Trend, Unit};
use crate::web::{Ctx, render, see_other};
use std::sync::Arc;
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

#[derive(Template)]
#[template(path = "partner/dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    stats: Stats,
    period: i64,
    periods: [i64; 4],
    trends: Arc<Vec<Trend>>,
    top_requests: Vec<TopListing>,
    top_conversion: Vec<TopListing>,
}

pub async fn dashboard(
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let period = q.days();
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
    let data = trend_data(&ctx, pid, period).await?;
    let trends = trend::drawn(&ctx, &format!("overview:{pid}:{period}"), || {
        trends(&ctx, &data)
    });
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
        top_requests: data.top_requests.clone(),
        top_conversion: data.top_conversion.clone(),
    })
}

/// The overview's chart figures for a period on the reader's clock, kept
/// as long as the other figures (per partner, period and zone).
async fn trend_data(ctx: &Ctx, pid: i64, period: i64) -> Result<Arc<TrendData>, AppError> {
    let zone = ctx.zone.clone();
    let key = format!("trends:{pid}:{period}:{}", zone.name());
    ctx.state
        .trends
        .get_or_load(key, || {
            db::run(ctx.pool(), move |conn| {
                Ok(load_trends(
                    conn,
                    pid,
                    &Buckets::last_days(&zone, now(), period),
                )?)
            })
        })
        .await
}

fn load_trends(
    conn: &mut db::AnyConnection,
    pid: i64,
    b: &Buckets,
) -> diesel::QueryResult<TrendData> {
    let before = b.before();
    let mut d = TrendData {
        dates: b.dates.clone(),
        ..TrendData::default()
    };
    for m in [
        Measure::Requests,
        Measure::Reviews,
        Measure::Tickets,
        Measure::ConsentsGiven,
        Measure::ConsentsWithdrawn,
    ] {
        let bars = overview::series(conn, pid, m, &b.instants)?;
        let prev = overview::series(conn, pid, m, &before)?[0];
        d.counts.push((m, bars, prev));
    }
    // Views are kept per UTC day: each day goes to the bar its date
    // falls in; the days before the first bar to the period before.
    let span = before[1] - before[0];
    let first_day = b.dates[0] - time::Duration::days(span.whole_days());
    let last_day = *b.dates.last().unwrap_or(&b.dates[0]);
    d.views = vec![0; b.len()];
    for (day, n) in overview::views_by_day(conn, pid, first_day, last_day)? {
        let Ok(day) = Date::parse(
            &day,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) else {
            continue;
        };
        if day < b.dates[0] {
            d.views_before += n;
        } else if let Some(i) = b.index_of_day(day) {
            d.views[i] += n;
        }
    }
    d.ratings = overview::rating_series(conn, pid, &b.instants)?;
    d.ratings_before = overview::rating_series(conn, pid, &before)?[0];
    // Median business minutes to the first response, per bar.
    let cfg = tickets::sla_config(conn)?;
    let minutes = |pairs: &[(PrimitiveDateTime, PrimitiveDateTime)]| -> Vec<i64> {
        pairs
            .iter()
            .map(|(opened, answered)| cfg.hours.minutes_between(*opened, *answered))
            .collect()
    };
    let per_bar: Vec<Vec<i64>> = overview::first_responses(conn, pid, &b.instants)?
        .iter()
        .map(|p| minutes(p))
        .collect();
    d.first = per_bar.iter().map(|m| median(m)).collect();
    d.first_all = median(&per_bar.concat());
    d.first_before = overview::first_responses(conn, pid, &before)?
        .first()
        .and_then(|p| median(&minutes(p)));
    d.top_requests = overview::top_by_requests(conn, pid, b.instants[0])?;
    d.top_conversion = overview::top_by_conversion(conn, pid, b.instants[0], b.dates[0])?;
    Ok(d)
}

/// The overview's charts: requests, views, conversion, consents given and
/// withdrawn, reviews and their average rating, tickets opened and the
/// median first response, per day (per week over a year).
fn trends(ctx: &Ctx, d: &TrendData) -> Vec<Trend> {
    let labels = trend::labels(ctx, &d.dates);
    let count = |id: &str, key: &str, m: Measure| {
        let (values, before) = d.count(m);
        trend::counts(ctx, id, ctx.t(key), &labels, values, before)
    };
    let (requests, requests_before) = d.count(Measure::Requests);
    let min = overview::MIN_VIEWS_FOR_CONVERSION;
    let few = ctx.t1("stat-conversion-few-views", "min", ctx.number(&min));
    let total = |v: &[i64]| v.iter().sum::<i64>();
    let conversion = trend::chart(
        ctx,
        "conversion",
        ctx.t("trend-conversion"),
        Unit::Percent,
        &labels,
        vec![Series {
            name: ctx.t("trend-conversion"),
            values: requests
                .iter()
                .zip(&d.views)
                .map(|(r, v)| overview::conversion(*r, *v, min))
                .collect(),
        }],
        overview::conversion(total(requests), total(&d.views), min),
        overview::conversion(requests_before, d.views_before, min),
        Some(few),
    );
    let (given, given_before) = d.count(Measure::ConsentsGiven);
    let (withdrawn, _) = d.count(Measure::ConsentsWithdrawn);
    let consents = trend::chart(
        ctx,
        "consents",
        ctx.t("trend-consents"),
        Unit::Count,
        &labels,
        vec![
            Series::counts(ctx.t("trend-consents-given"), given),
            Series::counts(ctx.t("trend-consents-withdrawn"), withdrawn),
        ],
        Some(total(given)),
        Some(given_before),
        None,
    );
    let (n_all, sum_all) = d
        .ratings
        .iter()
        .fold((0, 0), |(n, s), (a, b)| (n + a, s + b));
    let rating = trend::chart(
        ctx,
        "rating",
        ctx.t("trend-rating"),
        Unit::Rating,
        &labels,
        vec![Series {
            name: ctx.t("trend-rating"),
            values: d.ratings.iter().map(|r| trend::mean_rating(*r)).collect(),
        }],
        trend::mean_rating((n_all, sum_all)),
        trend::mean_rating(d.ratings_before),
        None,
    );
    let first = trend::chart(
        ctx,
        "first-response",
        ctx.t("trend-first-response"),
        Unit::Minutes,
        &labels,
        vec![Series {
            name: ctx.t("trend-first-response"),
            values: d.first.clone(),
        }],
        d.first_all,
        d.first_before,
        None,
    );
    vec![
        count("requests", "trend-requests", Measure::Requests),
        trend::counts(
            ctx,
            "views",
            ctx.t("trend-views"),
            &labels,
            &d.views,
            d.views_before,
        ),
        conversion,
        consents,
        count("reviews", "trend-reviews", Measure::Reviews),
        rating,
        count("tickets", "trend-tickets", Measure::Tickets),
        first,
    ]
}
