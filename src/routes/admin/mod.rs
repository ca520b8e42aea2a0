//! Platform admin pages under `/admin`; anyone else gets a 404.

pub mod catalogue;
pub mod partners;
pub mod people;
pub mod sla;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db;
use crate::error::AppError;
use crate::models::now;
use crate::models::overview::{self, PlatformMeasure};
use crate::models::users::User;
use crate::web::trend::{self, Buckets, PERIODS, PeriodQuery, Series, Trend, Unit};
use crate::web::{Ctx, render};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(home))
        .route("/admin/partners", web::get().to(partners::index))
        .route("/admin/partners/{id}", web::get().to(partners::show))
        .route(
            "/admin/partners/{id}/decide",
            web::post().to(partners::decide),
        )
        .route("/admin/categories", web::get().to(catalogue::categories))
        .route(
            "/admin/categories",
            web::post().to(catalogue::create_category),
        )
        .route(
            "/admin/categories/{id}",
            web::post().to(catalogue::rename_category),
        )
        .route(
            "/admin/categories/{id}/delete",
            web::post().to(catalogue::delete_category),
        )
        .route("/admin/users", web::get().to(people::users))
        .route("/admin/users/{id}", web::post().to(people::change_user))
        .route("/admin/audit", web::get().to(people::audit_log))
        .route("/admin/outbox", web::get().to(people::outbox_page))
        .route("/admin/outbox/{id}/retry", web::post().to(people::retry))
        .route("/admin/sla", web::get().to(sla::form))
        .route("/admin/sla", web::post().to(sla::submit))
        .route("/admin/listings", web::get().to(catalogue::listings_page))
        .route(
            "/admin/listings/{id}/take-down",
            web::post().to(catalogue::take_down),
        )
        .route("/admin/moderation", web::get().to(catalogue::moderation))
        .route(
            "/admin/moderation/{id}",
            web::post().to(catalogue::moderate),
        );
}

pub fn require_admin(ctx: &Ctx) -> Result<&User, AppError> {
    let user = ctx.require_user()?;
    if !user.is_admin {
        return Err(AppError::NotFound);
    }
    if ctx.two_step_missing {
        return Err(AppError::TwoStepRequired);
    }
    Ok(user)
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    period: i64,
    periods: [i64; 4],
    trends: std::sync::Arc<Vec<Trend>>,
}

/// The platform's figures per bar for a period: the bars' first days and
/// per measure (as `PlatformMeasure::ALL`) the bars and the period before.
pub type PlatformFigures = (Vec<time::Date>, Vec<(Vec<i64>, i64)>);

pub async fn home(ctx: Ctx, q: web::Query<PeriodQuery>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let period = q.days();
    let zone = ctx.zone.clone();
    let key = format!("platform:{period}:{}", zone.name());
    let figures = ctx
        .state
        .platform_trends
        .get_or_load(key, || {
            db::run(ctx.pool(), move |conn| {
                let b = Buckets::last_days(&zone, now(), period);
                let before = b.before();
                let mut out = Vec::new();
                for m in PlatformMeasure::ALL {
                    let bars = overview::platform_series(conn, m, &b.instants)?;
                    let prev = overview::platform_series(conn, m, &before)?[0];
                    out.push((bars, prev));
                }
                Ok((b.dates, out))
            })
        })
        .await?;
    let trends = trend::drawn(&ctx, &format!("platform:{period}"), || {
        platform_charts(&ctx, &figures)
    });
    render(&HomePage {
        ctx: &ctx,
        period,
        periods: PERIODS,
        trends,
    })
}

/// The admin's charts from the platform's figures.
fn platform_charts(ctx: &Ctx, figures: &PlatformFigures) -> Vec<Trend> {
    let (dates, counts) = figures;
    let labels = trend::labels(ctx, dates);
    let of = |m: PlatformMeasure| {
        PlatformMeasure::ALL
            .iter()
            .position(|x| *x == m)
            .and_then(|i| counts.get(i))
            .map_or((&[][..], 0), |(v, b)| (v.as_slice(), *b))
    };
    let mut trends: Vec<Trend> = [
        ("sign-ups", "admin-trend-sign-ups", PlatformMeasure::SignUps),
        (
            "partners-approved",
            "admin-trend-partners-approved",
            PlatformMeasure::PartnersApproved,
        ),
        (
            "listings-published",
            "admin-trend-listings-published",
            PlatformMeasure::ListingsPublished,
        ),
        ("requests", "trend-requests", PlatformMeasure::Requests),
        ("tickets", "trend-tickets", PlatformMeasure::Tickets),
    ]
    .into_iter()
    .map(|(id, key, m)| {
        let (values, before) = of(m);
        trend::counts(ctx, id, ctx.t(key), &labels, values, before)
    })
    .collect();
    let (sent, sent_before) = of(PlatformMeasure::MailSent);
    let (failed, _) = of(PlatformMeasure::MailFailed);
    trends.push(trend::chart(
        ctx,
        "mail",
        ctx.t("admin-trend-mail"),
        Unit::Count,
        &labels,
        vec![
            Series::counts(ctx.t("admin-trend-mail-sent"), sent),
            Series::counts(ctx.t("admin-trend-mail-failed"), failed),
        ],
        Some(sent.iter().sum()),
        Some(sent_before),
        None,
    ));
    trends
}
