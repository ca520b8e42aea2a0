//! `/desk/reports`: volumes, response and resolution times in business
//! hours, SLA achievement, satisfaction; by agent and by partner.

use std::collections::{BTreeMap, HashMap};

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
use crate::models::tickets::{self, By, SlaConfig, SlaTally, Tally, Timing};
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
    pub opened: i64,
    pub resolved: i64,
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
    /// Set when times come from the newest `TIMINGS_CAP` tickets only.
    sampled: Option<i64>,
}

/// Response and resolution times are computed from at most this many
/// tickets of the period, the newest; counts, SLA achievement and
/// satisfaction always cover the whole period.
pub const TIMINGS_CAP: i64 = 20_000;

/// Business minutes from opening to the first response.
fn first_minutes(cfg: &SlaConfig, t: &Timing) -> Option<i64> {
    Some(cfg.hours.minutes_between(t.start, t.end?))
}

/// Business minutes from opening to resolution, pauses left out.
fn resolution_minutes(cfg: &SlaConfig, t: &Timing) -> Option<i64> {
    let total = cfg.hours.minutes_between(t.start, t.end?);
    Some((total - t.paused_minutes as i64).max(0))
}

fn line(
    lang: Lang,
    label: String,
    opened: i64,
    resolved: &Tally,
    firsts: &[i64],
    resolutions: &[i64],
) -> Line {
    let satisfaction = (resolved.ratings > 0).then(|| {
        crate::models::listings::Rating {
            hundredths: (resolved.rating_sum * 100 + resolved.ratings / 2) / resolved.ratings,
            count: resolved.ratings,
        }
        .display()
    });
    Line {
        label,
        opened,
        resolved: resolved.count,
        first_median: median(firsts).map(|m| duration_label(lang, m)),
        first_p90: percentile(firsts, 90).map(|m| duration_label(lang, m)),
        resolution_median: median(resolutions).map(|m| duration_label(lang, m)),
        resolution_p90: percentile(resolutions, 90).map(|m| duration_label(lang, m)),
        satisfaction,
    }
}

/// What the page needs from the database, aggregated there.
struct Figures {
    cfg: SlaConfig,
    opened: HashMap<By, Vec<Tally>>,
    resolved: HashMap<By, Vec<Tally>>,
    sla: HashMap<String, SlaTally>,
    ratings: HashMap<i32, i64>,
    firsts: Vec<Timing>,
    resolutions: Vec<Timing>,
    people: HashMap<i64, String>,
    partners: HashMap<i64, String>,
}

fn figures(
    conn: &mut crate::db::AnyConnection,
    start: PrimitiveDateTime,
    end: PrimitiveDateTime,
) -> Result<Figures, AppError> {
    let mut opened = HashMap::new();
    let mut resolved = HashMap::new();
    for by in [By::All, By::Assignee, By::Partner] {
        opened.insert(by, tickets::opened_tally(conn, start, end, by)?);
        resolved.insert(by, tickets::resolved_tally(conn, start, end, by)?);
    }
    let keys = |by: By| -> Vec<i64> {
        let mut ids: Vec<i64> = opened[&by]
            .iter()
            .chain(resolved[&by].iter())
            .filter_map(|t: &Tally| t.key)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let (agent_ids, partner_ids) = (keys(By::Assignee), keys(By::Partner));
    Ok(Figures {
        cfg: tickets::sla_config(conn)?,
        sla: tickets::sla_tally(conn, start, end)?,
        ratings: tickets::rating_tally(conn, start, end)?,
        firsts: tickets::first_response_timings(conn, start, end, TIMINGS_CAP)?,
        resolutions: tickets::resolution_timings(conn, start, end, TIMINGS_CAP)?,
        people: tickets::people_names(conn, &agent_ids)?,
        partners: tickets::partner_names(conn, &partner_ids)?,
        opened,
        resolved,
    })
}

/// The lines of a breakdown, by label.
fn breakdown(
    lang: Lang,
    f: &Figures,
    by: By,
    none: &str,
    firsts: &[(i64, &Timing)],
    resolutions: &[(i64, &Timing)],
) -> Vec<Line> {
    let key_of = |t: &Timing| match by {
        By::Assignee => t.assignee_id,
        By::Partner => t.partner_id,
        By::All => None,
    };
    let names = if by == By::Partner {
        &f.partners
    } else {
        &f.people
    };
    let group = |list: &[(i64, &Timing)]| {
        let mut by_key: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        for (m, t) in list {
            by_key.entry(key_of(t)).or_default().push(*m);
        }
        by_key
    };
    let (firsts, resolutions) = (group(firsts), group(resolutions));
    let opened: HashMap<Option<i64>, i64> =
        f.opened[&by].iter().map(|t| (t.key, t.count)).collect();
    let resolved: HashMap<Option<i64>, &Tally> =
        f.resolved[&by].iter().map(|t| (t.key, t)).collect();
    let mut keys: Vec<Option<i64>> = opened.keys().chain(resolved.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut lines: BTreeMap<(String, Option<i64>), Line> = BTreeMap::new();
    for key in keys {
        let label = key
            .and_then(|k| names.get(&k).cloned())
            .unwrap_or_else(|| none.to_string());
        let l = line(
            lang,
            label.clone(),
            opened.get(&key).copied().unwrap_or(0),
            resolved.get(&key).copied().unwrap_or(&Tally::default()),
            firsts.get(&key).map_or(&[][..], Vec::as_slice),
            resolutions.get(&key).map_or(&[][..], Vec::as_slice),
        );
        lines.insert((label, key), l);
    }
    lines.into_values().collect()
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
    // Days are the reader's: a report from 1 to 7 March runs from
    // midnight to midnight on their clock.
    let today = ctx.zone.local(now()).date();
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
    let start = ctx
        .zone
        .to_utc(PrimitiveDateTime::new(from, Time::MIDNIGHT));
    let end = ctx.zone.to_utc(PrimitiveDateTime::new(
        to.next_day().unwrap_or(to),
        Time::MIDNIGHT,
    ));
    let f = db::run(ctx.pool(), move |conn| {
        db::with_custom_plans(conn, |conn| figures(conn, start, end))
    })
    .await?;
    let firsts: Vec<(i64, &Timing)> = f
        .firsts
        .iter()
        .filter_map(|t| Some((first_minutes(&f.cfg, t)?, t)))
        .collect();
    let resolutions: Vec<(i64, &Timing)> = f
        .resolutions
        .iter()
        .filter_map(|t| Some((resolution_minutes(&f.cfg, t)?, t)))
        .collect();
    let all = |list: &[(i64, &Timing)]| list.iter().map(|(m, _)| *m).collect::<Vec<i64>>();
    let total = line(
        ctx.lang,
        ctx.t("report-all"),
        f.opened[&By::All].first().map_or(0, |t| t.count),
        &f.resolved[&By::All].first().cloned().unwrap_or_default(),
        &all(&firsts),
        &all(&resolutions),
    );
    let none = ctx.t("report-none");
    let by_agent = breakdown(ctx.lang, &f, By::Assignee, &none, &firsts, &resolutions);
    let by_partner = breakdown(ctx.lang, &f, By::Partner, &none, &firsts, &resolutions);

    let by_priority = Priority::ALL
        .iter()
        .map(|p| {
            let s = f.sla.get(p.as_str()).cloned().unwrap_or_default();
            PriorityLine {
                key: p.label_key(),
                count: s.opened as usize,
                first_met: percent(s.first_met as usize, s.first_decided as usize),
                resolution_met: percent(s.resolution_met as usize, s.resolution_decided as usize),
            }
        })
        .collect();

    let ratings = bars(
        &(1..=5)
            .map(|n| {
                (
                    ctx.tn("rating-label", "rating", n as i64),
                    f.ratings.get(&n).copied().unwrap_or(0),
                )
            })
            .collect::<Vec<_>>(),
    );
    let agent_bars = bars(
        &by_agent
            .iter()
            .map(|l| (l.label.clone(), l.resolved))
            .collect::<Vec<_>>(),
    );
    let sampled = (f.firsts.len() as i64 >= TIMINGS_CAP
        || f.resolutions.len() as i64 >= TIMINGS_CAP)
        .then_some(TIMINGS_CAP);
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
        sampled,
    })
}
