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
use crate::models::overview::per_bar;
use crate::models::tickets::{self, By, Scope, SlaConfig, SlaTally, Tally, Timing};
use crate::support::stats::{bars, duration_label, median, percent, percentile};
use crate::web::csv_export;
use crate::web::trend::{self, Buckets, Series, Trend, Unit};
use crate::web::{Ctx, FormErrors, render};

#[derive(Deserialize, Default, Clone)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The charts and the export for one agent's tickets.
    #[serde(default)]
    assignee: String,
    /// ... or one partner's.
    #[serde(default)]
    partner: String,
}

/// The longest period a report covers.
pub const MAX_DAYS: i64 = 366;
/// Response and resolution medians per week are taken over at most this
/// many tickets of each week, the newest.
pub const WEEK_SAMPLE: i64 = 2000;
/// Rows the export reads per query.
pub const EXPORT_BATCH: i64 = 1000;

/// A report's period and scope as asked for, checked.
struct Asked {
    from: Date,
    to: Date,
    start: PrimitiveDateTime,
    end: PrimitiveDateTime,
    scope: Scope,
    errors: FormErrors,
}

fn parse_id(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>().map(Some).map_err(|_| ())
}

/// Days are the reader's: a report from 1 to 7 March runs from midnight
/// to midnight on their clock. At most `MAX_DAYS`, ending on `to`.
fn asked(ctx: &Ctx, q: &Period) -> Asked {
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
    let (mut from, to) = if from > to { (to, from) } else { (from, to) };
    if (to - from).whole_days() >= MAX_DAYS {
        errors.add(
            "from",
            ctx.t1("error-report-too-long", "days", ctx.number(&MAX_DAYS)),
        );
        from = to - time::Duration::days(MAX_DAYS - 1);
    }
    let mut id = |raw: &str, field: &str| {
        parse_id(raw).unwrap_or_else(|_| {
            errors.add(field, ctx.t("error-choice-invalid"));
            None
        })
    };
    let scope = Scope {
        assignee: id(&q.assignee, "assignee"),
        partner: id(&q.partner, "partner"),
    };
    let start = ctx
        .zone
        .to_utc(PrimitiveDateTime::new(from, Time::MIDNIGHT));
    let end = ctx.zone.to_utc(PrimitiveDateTime::new(
        to.next_day().unwrap_or(to),
        Time::MIDNIGHT,
    ));
    Asked {
        from,
        to,
        start,
        end,
        scope,
        errors,
    }
}

impl Period {
    fn query(&self, a: &Asked) -> String {
        format!(
            "from={}&to={}&assignee={}&partner={}",
            a.from,
            a.to,
            a.scope.assignee.map(|v| v.to_string()).unwrap_or_default(),
            a.scope.partner.map(|v| v.to_string()).unwrap_or_default(),
        )
    }
}

/// The report's charts' figures: per bar (a day, or a week past 92 days)
/// opened, resolved and the backlog at its end; per week the medians,
/// SLA per priority and satisfaction.
#[derive(Debug, Clone, Default)]
pub struct DeskTrends {
    pub dates: Vec<Date>,
    pub opened: Vec<i64>,
    pub resolved: Vec<i64>,
    pub backlog: Vec<i64>,
    pub weeks: Vec<Date>,
    pub first_median: Vec<Option<i64>>,
    pub resolution_median: Vec<Option<i64>>,
    /// Per priority (as `Priority::ALL`), per week: targets met, decided.
    pub sla: Vec<Vec<(i64, i64)>>,
    /// Per week: (ratings, sum).
    pub satisfaction: Vec<(i64, i64)>,
}

fn load_trends(
    conn: &mut crate::db::AnyConnection,
    scope: Scope,
    bars: &Buckets,
    weeks: &Buckets,
) -> Result<DeskTrends, AppError> {
    let cfg = tickets::sla_config(conn)?;
    let mut t = DeskTrends {
        dates: bars.dates.clone(),
        weeks: weeks.dates.clone(),
        ..DeskTrends::default()
    };
    (t.opened, t.resolved) = per_bar(&bars.instants, |from, to| {
        Ok((
            tickets::opened_between(conn, scope, from, to)?,
            tickets::resolved_between(conn, scope, from, to)?.count,
        ))
    })?
    .into_iter()
    .unzip();
    // The backlog at the end of each bar: what is unresolved now, less
    // what was opened since, plus what was resolved since.
    let now = now();
    let last = *bars.instants.last().unwrap_or(&now);
    let (mut opened_since, mut resolved_since) = if last < now {
        (
            tickets::opened_between(conn, scope, last, now)?,
            tickets::resolved_between(conn, scope, last, now)?.count,
        )
    } else {
        (0, 0)
    };
    let open_now = tickets::unresolved(conn, scope)?;
    let mut backlog = vec![0; t.opened.len()];
    for i in (0..t.opened.len()).rev() {
        backlog[i] = (open_now - opened_since + resolved_since).max(0);
        opened_since += t.opened[i];
        resolved_since += t.resolved[i];
    }
    t.backlog = backlog;
    let per_week = per_bar(&weeks.instants, |from, to| {
        let firsts: Vec<i64> =
            tickets::first_responses_between(conn, scope, from, to, WEEK_SAMPLE)?
                .iter()
                .filter_map(|x| first_minutes(&cfg, x))
                .collect();
        let resolutions: Vec<i64> =
            tickets::resolutions_between(conn, scope, from, to, WEEK_SAMPLE)?
                .iter()
                .filter_map(|x| resolution_minutes(&cfg, x))
                .collect();
        let r = tickets::resolved_between(conn, scope, from, to)?;
        Ok((
            median(&firsts),
            median(&resolutions),
            (r.ratings, r.rating_sum),
        ))
    })?;
    for (first, resolution, satisfaction) in per_week {
        t.first_median.push(first);
        t.resolution_median.push(resolution);
        t.satisfaction.push(satisfaction);
    }
    for p in Priority::ALL {
        t.sla.push(per_bar(&weeks.instants, |from, to| {
            let s = tickets::sla_between(conn, scope, p, from, to)?;
            Ok((
                s.first_met + s.resolution_met,
                s.first_decided + s.resolution_decided,
            ))
        })?);
    }
    Ok(t)
}

/// The report's charts from its figures.
fn charts(ctx: &Ctx, t: &DeskTrends) -> Vec<Trend> {
    let days = trend::labels(ctx, &t.dates);
    let weeks = trend::labels(ctx, &t.weeks);
    let total = |v: &[i64]| v.iter().sum::<i64>();
    let all = |v: &[Option<i64>]| v.iter().flatten().count() > 0;
    let sla_share = |(met, decided): (i64, i64)| percent(met as usize, decided as usize);
    let mut out = vec![
        trend::chart(
            ctx,
            "opened-resolved",
            ctx.t("report-trend-opened-resolved"),
            Unit::Count,
            &days,
            vec![
                Series::counts(ctx.t("report-opened"), &t.opened),
                Series::counts(ctx.t("report-resolved"), &t.resolved),
            ],
            Some(total(&t.opened)),
            None,
            None,
        ),
        trend::chart(
            ctx,
            "backlog",
            ctx.t("report-trend-backlog"),
            Unit::Count,
            &days,
            vec![Series::counts(ctx.t("report-trend-backlog"), &t.backlog)],
            t.backlog.last().copied(),
            None,
            None,
        ),
        trend::chart(
            ctx,
            "medians",
            ctx.t("report-trend-medians"),
            Unit::Minutes,
            &weeks,
            vec![
                Series {
                    name: ctx.t("report-first-median"),
                    values: t.first_median.clone(),
                },
                Series {
                    name: ctx.t("report-resolution-median"),
                    values: t.resolution_median.clone(),
                },
            ],
            None,
            None,
            (!all(&t.first_median) && !all(&t.resolution_median))
                .then(|| ctx.t("report-trend-nothing")),
        ),
    ];
    let (n, sum) = t
        .satisfaction
        .iter()
        .fold((0, 0), |(n, s), (a, b)| (n + a, s + b));
    let sla_all: Vec<(i64, i64)> = t.sla.iter().flatten().copied().collect();
    let (met, decided) = sla_all.iter().fold((0, 0), |(m, d), (a, b)| (m + a, d + b));
    out.push(trend::chart(
        ctx,
        "sla",
        ctx.t("report-trend-sla"),
        Unit::Percent,
        &weeks,
        Priority::ALL
            .iter()
            .zip(&t.sla)
            .map(|(p, weeks)| Series {
                name: ctx.t(p.label_key()),
                values: weeks.iter().map(|w| sla_share(*w)).collect(),
            })
            .collect(),
        sla_share((met, decided)),
        None,
        Some(ctx.t("report-trend-nothing")),
    ));
    out.push(trend::chart(
        ctx,
        "satisfaction",
        ctx.t("report-trend-satisfaction"),
        Unit::Rating,
        &weeks,
        vec![Series {
            name: ctx.t("report-satisfaction"),
            values: t
                .satisfaction
                .iter()
                .map(|w| trend::mean_rating(*w))
                .collect(),
        }],
        trend::mean_rating((n, sum)),
        None,
        Some(ctx.t("report-trend-nothing")),
    ));
    out
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
    tables: std::sync::Arc<Tables>,
    trends: std::sync::Arc<Vec<Trend>>,
    agents: Vec<(i64, String)>,
    partners: Vec<(i64, String)>,
    scope: Scope,
    query: String,
}

/// The period's tables as the page shows them in one language: kept with
/// the figures they come from (`AppState::desk_tables`).
pub struct Tables {
    total: Line,
    by_agent: Vec<Line>,
    by_partner: Vec<Line>,
    by_priority: Vec<PriorityLine>,
    ratings: Vec<(String, i64, i64)>,
    agent_bars: Vec<(String, i64, i64)>,
    /// Set when times come from the newest `TIMINGS_CAP` tickets only.
    sampled: Option<i64>,
    /// The partners of the period, by name (the scope's choices).
    partners: Vec<(i64, String)>,
}

fn tables_of(ctx: &Ctx, f: &Figures) -> Tables {
    let firsts: Vec<(i64, &Timing)> = f.firsts.iter().map(|(m, t)| (*m, t)).collect();
    let resolutions: Vec<(i64, &Timing)> = f.resolutions.iter().map(|(m, t)| (*m, t)).collect();
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
    let by_agent = breakdown(ctx.lang, f, By::Assignee, &none, &firsts, &resolutions);
    let by_partner = breakdown(ctx.lang, f, By::Partner, &none, &firsts, &resolutions);

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
    let mut partners: Vec<(i64, String)> =
        f.partners.iter().map(|(k, v)| (*k, v.clone())).collect();
    partners.sort_by(|a, b| a.1.cmp(&b.1));
    Tables {
        total,
        by_agent,
        by_partner,
        by_priority,
        ratings,
        agent_bars,
        sampled,
        partners,
    }
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
pub struct Figures {
    opened: HashMap<By, Vec<Tally>>,
    resolved: HashMap<By, Vec<Tally>>,
    sla: HashMap<String, SlaTally>,
    ratings: HashMap<i32, i64>,
    /// Business minutes to the first response, with the ticket's timing.
    firsts: Vec<(i64, Timing)>,
    /// Business minutes to resolution, pauses left out.
    resolutions: Vec<(i64, Timing)>,
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
    let cfg = tickets::sla_config(conn)?;
    Ok(Figures {
        sla: tickets::sla_tally(conn, start, end)?,
        ratings: tickets::rating_tally(conn, start, end)?,
        firsts: tickets::first_responses_between(conn, Scope::default(), start, end, TIMINGS_CAP)?
            .into_iter()
            .filter_map(|t| Some((first_minutes(&cfg, &t)?, t)))
            .collect(),
        resolutions: tickets::resolutions_between(conn, Scope::default(), start, end, TIMINGS_CAP)?
            .into_iter()
            .filter_map(|t| Some((resolution_minutes(&cfg, &t)?, t)))
            .collect(),
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
    let asked = asked(&ctx, &q);
    let (start, end, scope) = (asked.start, asked.end, asked.scope);
    let step = if (asked.to - asked.from).whole_days() >= 92 {
        7
    } else {
        1
    };
    let periods = Buckets::between(&ctx.zone, asked.from, asked.to, step);
    let weeks = Buckets::between(&ctx.zone, asked.from, asked.to, 7);
    // The charts take a few hundred index counts: kept as long as the
    // partner figures, per period, scope and zone.
    let key = format!(
        "desk:{}:{}:{:?}:{}",
        asked.from,
        asked.to,
        scope,
        ctx.zone.name()
    );
    let trends = ctx
        .state
        .desk_trends
        .get_or_load(key, || {
            db::run_planned(ctx.pool(), db::Plans::Custom, move |conn| {
                load_trends(conn, scope, &periods, &weeks)
            })
        })
        .await?;
    // The period's tables read up to `TIMINGS_CAP` tickets twice and work
    // out each one's business minutes: kept as long as the charts, per
    // period and zone, and loaded once however many ask at the same time.
    let key = format!("figures:{}:{}:{}", asked.from, asked.to, ctx.zone.name());
    let period = ctx
        .state
        .desk_figures
        .get_or_load(key, || {
            db::run_planned(ctx.pool(), db::Plans::Custom, move |conn| {
                Ok((figures(conn, start, end)?, tickets::staff(conn)?))
            })
        })
        .await?;
    let (f, agents) = (&period.0, period.1.clone());

    // Drawn once per language from the kept figures: the breakdowns group
    // and sort up to `TIMINGS_CAP` times twice.
    let key = format!(
        "tables:{}:{}:{}:{}",
        asked.from,
        asked.to,
        ctx.zone.name(),
        ctx.lang.code()
    );
    let tables = match ctx.state.desk_tables.get(&key) {
        Some(t) => t,
        None => {
            let t = std::sync::Arc::new(tables_of(&ctx, f));
            ctx.state.desk_tables.put(key, t.clone());
            t
        }
    };
    // The partner chosen stays offered, tickets in the period or not.
    let mut partners = tables.partners.clone();
    if let Some(pid) = scope.partner
        && !partners.iter().any(|(id, _)| *id == pid)
    {
        let mut named = db::run(ctx.pool(), move |conn| {
            Ok(tickets::partner_names(conn, &[pid])?)
        })
        .await?;
        if let Some(name) = named.remove(&pid) {
            partners.push((pid, name));
        }
    }
    render(&ReportsPage {
        ctx: &ctx,
        from: asked.from.to_string(),
        to: asked.to.to_string(),
        query: q.query(&asked),
        errors: asked.errors,
        trends: trend::drawn(
            &ctx,
            &format!("desk:{}:{}:{:?}", asked.from, asked.to, scope),
            || charts(&ctx, &trends),
        ),
        agents,
        partners,
        scope,
        tables,
    })
}

/// Whether a target was met: met, missed, or not decided yet.
fn target(
    lang: Lang,
    at: Option<PrimitiveDateTime>,
    due: Option<PrimitiveDateTime>,
    now: PrimitiveDateTime,
) -> String {
    match (at, due) {
        (Some(at), Some(due)) if at <= due => lang.t("report-csv-met"),
        (Some(_), Some(_)) => lang.t("report-csv-missed"),
        (None, Some(due)) if now > due => lang.t("report-csv-missed"),
        _ => String::new(),
    }
}

fn utc(t: Option<PrimitiveDateTime>) -> String {
    t.map(crate::models::export::iso).unwrap_or_default()
}

/// `/desk/reports.csv`: one row per ticket opened in the period (and
/// scope), streamed in batches of `EXPORT_BATCH` over the opening-time
/// index: number, partner, priority, times (UTC), business minutes to the
/// first response and to resolution, each target met or missed, rating.
pub async fn export(ctx: Ctx, q: web::Query<Period>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let asked = asked(&ctx, &q);
    let (start, end, scope, lang) = (asked.start, asked.end, asked.scope, ctx.lang);
    let header = csv_export::lines([[
        "report-csv-number",
        "privacy-partner",
        "field-priority",
        "report-csv-created",
        "report-csv-first-response",
        "report-csv-resolved",
        "report-csv-first-minutes",
        "report-csv-resolution-minutes",
        "report-csv-first-sla",
        "report-csv-resolution-sla",
        "report-csv-rating",
    ]
    .map(|k| lang.t(k))]);
    let cfg = db::run(ctx.pool(), |conn| Ok(tickets::sla_config(conn)?)).await?;
    let cfg = std::sync::Arc::new(cfg);
    Ok(csv_export::streamed(
        ctx.pool(),
        &format!("tickets-{}-{}.csv", asked.from, asked.to),
        header,
        None,
        "ticket report export",
        move |conn, after| {
            let rows = tickets::report_rows(conn, scope, start, end, after, EXPORT_BATCH)?;
            let now = now();
            let lines = csv_export::lines(rows.iter().map(|row| {
                let r = &row.ticket;
                let timing = |end| Timing {
                    assignee_id: None,
                    partner_id: None,
                    start: r.created_at,
                    end,
                    paused_minutes: r.paused_minutes,
                };
                let priority = Priority::parse(&r.priority).unwrap_or(Priority::Normal);
                [
                    r.number.to_string(),
                    csv_export::guard(row.partner.as_deref().unwrap_or("")),
                    lang.t(priority.label_key()),
                    utc(Some(r.created_at)),
                    utc(r.first_response_at),
                    utc(r.resolved_at),
                    first_minutes(&cfg, &timing(r.first_response_at))
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    resolution_minutes(&cfg, &timing(r.resolved_at))
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    target(lang, r.first_response_at, r.first_response_due, now),
                    target(lang, r.resolved_at, r.resolution_due, now),
                    r.satisfaction_rating
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ]
            }))?;
            let next = match rows.last() {
                Some(last) if rows.len() as i64 == EXPORT_BATCH => {
                    Some(Some((last.ticket.created_at, last.ticket.id)))
                }
                _ => None,
            };
            Ok((lines, next))
        },
    ))
}
