//! `/desk/reports`: volumes, response and resolution times in business
//! hours, SLA achievement, satisfaction; by agent and by partner.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::{Date, PrimitiveDateTime, Time};

use super::require_staff;
use crate::db;
use crate::domain::ticket::Priority;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::now;
use crate::models::tickets::{self, Row, SlaConfig};
use crate::support::stats::{bars, duration_label, median, percent, percentile};
use crate::web::{Ctx, FormErrors, render};

#[derive(Deserialize, Default)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// One line of a breakdown (overall, an agent, a partner).
pub struct Line {
    pub label: String,
    pub opened: usize,
    pub resolved: usize,
    pub first_median: Option<String>,
    pub first_p90: Option<String>,
    pub resolution_median: Option<String>,
    pub resolution_p90: Option<String>,
    pub satisfaction: Option<String>,
}

pub struct PriorityLine {
    pub key: &'static str,
    pub first_met: Option<i64>,
    pub resolution_met: Option<i64>,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "desk/reports.html")]
struct ReportsPage<'a> {
    ctx: &'a Ctx,
    from: String,
    to: String,
    errors: FormErrors,
    total: Line,
    by_agent: Vec<Line>,
    by_partner: Vec<Line>,
    by_priority: Vec<PriorityLine>,
    ratings: Vec<(String, i64, i64)>,
    agent_bars: Vec<(String, i64, i64)>,
}

fn first_minutes(cfg: &SlaConfig, r: &Row) -> Option<i64> {
    Some(
        cfg.hours
            .minutes_between(r.ticket.created_at, r.ticket.first_response_at?),
    )
}

fn resolution_minutes(cfg: &SlaConfig, r: &Row) -> Option<i64> {
    let total = cfg
        .hours
        .minutes_between(r.ticket.created_at, r.ticket.resolved_at?);
    Some((total - r.ticket.paused_minutes as i64).max(0))
}

fn line(lang: Lang, label: String, cfg: &SlaConfig, opened: &[&Row], resolved: &[&Row]) -> Line {
    let firsts: Vec<i64> = opened
        .iter()
        .filter_map(|r| first_minutes(cfg, r))
        .collect();
    let resolutions: Vec<i64> = resolved
        .iter()
        .filter_map(|r| resolution_minutes(cfg, r))
        .collect();
    let ratings: Vec<i64> = resolved
        .iter()
        .filter_map(|r| r.ticket.satisfaction_rating.map(i64::from))
        .collect();
    let satisfaction = (!ratings.is_empty()).then(|| {
        let hundredths =
            (ratings.iter().sum::<i64>() * 100 + ratings.len() as i64 / 2) / ratings.len() as i64;
        crate::models::listings::Rating {
            hundredths,
            count: ratings.len() as i64,
        }
        .display()
    });
    Line {
        label,
        opened: opened.len(),
        resolved: resolved.len(),
        first_median: median(&firsts).map(|m| duration_label(lang, m)),
        first_p90: percentile(&firsts, 90).map(|m| duration_label(lang, m)),
        resolution_median: median(&resolutions).map(|m| duration_label(lang, m)),
        resolution_p90: percentile(&resolutions, 90).map(|m| duration_label(lang, m)),
        satisfaction,
    }
}

fn parse_day(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

pub async fn show(ctx: Ctx, q: web::Query<Period>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let today = now().date();
    let mut errors = FormErrors::new();
    let mut day = |raw: &str, field: &str, default: Date| -> Date {
        if raw.trim().is_empty() {
            return default;
        }
        parse_day(raw).unwrap_or_else(|| {
            errors.add(field, ctx.t("error-date-invalid"));
            default
        })
    };
    let from = day(&q.from, "from", today - time::Duration::days(30));
    let to = day(&q.to, "to", today);
    let (from, to) = if from > to { (to, from) } else { (from, to) };
    let start = PrimitiveDateTime::new(from, Time::MIDNIGHT);
    let end = PrimitiveDateTime::new(to.next_day().unwrap_or(to), Time::MIDNIGHT);
    let (cfg, opened, resolved) = db::run(ctx.pool(), move |conn| {
        Ok((
            tickets::sla_config(conn)?,
            tickets::opened_between(conn, start, end)?,
            tickets::resolved_between(conn, start, end)?,
        ))
    })
    .await?;
    let all_opened: Vec<&Row> = opened.iter().collect();
    let all_resolved: Vec<&Row> = resolved.iter().collect();
    let total = line(
        ctx.lang,
        ctx.t("report-all"),
        &cfg,
        &all_opened,
        &all_resolved,
    );

    let group = |key: &dyn Fn(&Row) -> Option<String>| -> Vec<Line> {
        let mut names: BTreeMap<String, (Vec<&Row>, Vec<&Row>)> = BTreeMap::new();
        for r in &opened {
            names
                .entry(key(r).unwrap_or_else(|| ctx.t("report-none")))
                .or_default()
                .0
                .push(r);
        }
        for r in &resolved {
            names
                .entry(key(r).unwrap_or_else(|| ctx.t("report-none")))
                .or_default()
                .1
                .push(r);
        }
        names
            .into_iter()
            .map(|(name, (o, r))| line(ctx.lang, name, &cfg, &o, &r))
            .collect()
    };
    let by_agent = group(&|r: &Row| r.assignee_name.clone());
    let by_partner = group(&|r: &Row| r.partner_name.clone());

    let by_priority = Priority::ALL
        .iter()
        .map(|p| {
            let these: Vec<&Row> = opened
                .iter()
                .filter(|r| r.ticket.priority() == *p)
                .collect();
            let decided_first: Vec<bool> = these
                .iter()
                .filter_map(|r| Some(r.ticket.first_response_at? <= r.ticket.first_response_due?))
                .collect();
            let decided_resolution: Vec<bool> = these
                .iter()
                .filter_map(|r| Some(r.ticket.resolved_at? <= r.ticket.resolution_due?))
                .collect();
            PriorityLine {
                key: p.label_key(),
                count: these.len(),
                first_met: percent(
                    decided_first.iter().filter(|m| **m).count(),
                    decided_first.len(),
                ),
                resolution_met: percent(
                    decided_resolution.iter().filter(|m| **m).count(),
                    decided_resolution.len(),
                ),
            }
        })
        .collect();

    let ratings = bars(
        &(1..=5)
            .map(|n| {
                (
                    ctx.tn("rating-label", "rating", n as i64),
                    resolved
                        .iter()
                        .filter(|r| r.ticket.satisfaction_rating == Some(n))
                        .count() as i64,
                )
            })
            .collect::<Vec<_>>(),
    );
    let agent_bars = bars(
        &by_agent
            .iter()
            .map(|l| (l.label.clone(), l.resolved as i64))
            .collect::<Vec<_>>(),
    );
    render(&ReportsPage {
        ctx: &ctx,
        from: from.to_string(),
        to: to.to_string(),
        errors,
        total,
        by_agent,
        by_partner,
        by_priority,
        ratings,
        agent_bars,
    })
}
