//! Figures over time as the pages show them: a period cut into days (or
//! weeks) on the reader's clock, and a chart of one or more series with
//! its headline figure, the change against the period before and the same
//! numbers as a table. The numbers come from SQL aggregates in `models`;
//! this module only lays them out.

use std::sync::Arc;

use time::{Date, PrimitiveDateTime, Time};

use crate::domain::zone::Zone;
use crate::models::listings::Rating;
use crate::support::chart;
use crate::support::stats::duration_label;
use crate::web::Ctx;

/// The periods a page's charts offer, in days (365 is drawn by week).
pub const PERIODS: [i64; 4] = [7, 30, 90, 365];

/// `?period=` of a page with charts.
#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    period: Option<String>,
}

impl PeriodQuery {
    /// The period asked for when it is one offered, else 30 days.
    pub fn days(&self) -> i64 {
        self.period
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| PERIODS.contains(p))
            .unwrap_or(30)
    }
}

/// A period cut into bars: `n + 1` bounds for `n` bars, as instants in
/// UTC, and the reader's dates they start on.
#[derive(Debug, Clone)]
pub struct Buckets {
    pub instants: Vec<PrimitiveDateTime>,
    pub dates: Vec<Date>,
}

impl Buckets {
    /// From midnight of `first` to midnight after `last` on the reader's
    /// clock, by `step` days (the last bar may be shorter).
    pub fn between(zone: &Zone, first: Date, last: Date, step: i64) -> Buckets {
        let end = last + time::Duration::days(1);
        let mut dates = vec![first];
        let mut d = first;
        while d < end {
            d = (d + time::Duration::days(step.max(1))).min(end);
            dates.push(d);
        }
        Buckets::from_dates(zone, dates)
    }

    /// The last `days` days up to today on the reader's clock, by day, or
    /// by week beyond 90 days (whole weeks ending today).
    pub fn last_days(zone: &Zone, now: PrimitiveDateTime, days: i64) -> Buckets {
        let today = zone.local(now).date();
        let step = if days > 90 { 7 } else { 1 };
        let bars = days / step;
        let end = today + time::Duration::days(1);
        let first = end - time::Duration::days(bars * step);
        let dates = (0..=bars)
            .map(|i| first + time::Duration::days(i * step))
            .collect();
        Buckets::from_dates(zone, dates)
    }

    fn from_dates(zone: &Zone, dates: Vec<Date>) -> Buckets {
        let instants = dates
            .iter()
            .map(|d| zone.to_utc(PrimitiveDateTime::new(*d, Time::MIDNIGHT)))
            .collect();
        Buckets { instants, dates }
    }

    pub fn len(&self) -> usize {
        self.dates.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same length of time just before: its two bounds.
    pub fn before(&self) -> [PrimitiveDateTime; 2] {
        let first = self.instants[0];
        let last = *self.instants.last().unwrap_or(&first);
        [first - (last - first), first]
    }

    /// The bar a UTC date falls in (views are kept per UTC day).
    pub fn index_of_day(&self, day: Date) -> Option<usize> {
        self.dates
            .windows(2)
            .position(|w| w[0] <= day && day < w[1])
    }

    /// The bars' labels: the date each starts on.
    pub fn labels(&self, ctx: &Ctx) -> Vec<String> {
        labels(ctx, &self.dates)
    }

    /// The bar an instant falls in.
    pub fn index_of(&self, at: PrimitiveDateTime) -> Option<usize> {
        self.instants
            .windows(2)
            .position(|w| w[0] <= at && at < w[1])
    }
}

/// The labels of bars starting on `dates` (one date more than there are
/// bars, the last the end): the date each starts on, in the reader's words.
pub fn labels(ctx: &Ctx, dates: &[Date]) -> Vec<String> {
    dates
        .iter()
        .take(dates.len().saturating_sub(1))
        .map(|d| ctx.lang.date(&PrimitiveDateTime::new(*d, Time::MIDNIGHT)))
        .collect()
}

/// A mean rating in hundredths from (how many, their sum), when any.
pub fn mean_rating((n, sum): (i64, i64)) -> Option<i64> {
    (n > 0).then(|| Rating::from_sum(sum, n).hundredths)
}

/// What a chart's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// Whole per cent, axis to 100.
    Percent,
    /// A mean rating in hundredths, axis to 5.
    Rating,
    /// Business minutes.
    Minutes,
}

impl Unit {
    pub fn format(self, ctx: &Ctx, v: i64) -> String {
        match self {
            Unit::Count => ctx.number(&v),
            Unit::Percent => format!("{v} %"),
            Unit::Rating => Rating {
                hundredths: v,
                count: 1,
            }
            .display(),
            Unit::Minutes => duration_label(ctx.lang, v),
        }
    }

    fn top(self) -> Option<i64> {
        match self {
            Unit::Percent => Some(100),
            Unit::Rating => Some(500),
            _ => None,
        }
    }
}

/// One cell of a chart's table: the number (none where there is nothing
/// to show) and how it reads.
pub struct Cell {
    pub value: Option<i64>,
    pub text: String,
}

pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

/// A chart as a page shows it.
pub struct Trend {
    pub id: String,
    pub title: String,
    /// The period's figure: a total, or the period's rate.
    pub headline: String,
    /// Per cent against the period before, when it had anything.
    pub change: Option<i64>,
    /// What a headline of nothing means ("not enough views").
    pub note: Option<String>,
    /// The series' names, one column each (and a legend past one).
    pub names: Vec<String>,
    pub rows: Vec<Row>,
    pub svg: String,
}

/// One series: its name and a value per bar.
pub struct Series {
    pub name: String,
    pub values: Vec<Option<i64>>,
}

impl Series {
    pub fn counts(name: String, values: &[i64]) -> Series {
        Series {
            name,
            values: values.iter().map(|v| Some(*v)).collect(),
        }
    }
}

/// A page's charts as drawn for one reader's language and zone, kept in
/// `AppState::chart_views` as long as the figures they come from: drawing
/// them (SVG, tables, numbers in words) costs more than the page's other
/// work once the figures are cached.
pub fn drawn(ctx: &Ctx, key: &str, draw: impl FnOnce() -> Vec<Trend>) -> Arc<Vec<Trend>> {
    let key = format!("{key}:{}:{}", ctx.zone.name(), ctx.lang.code());
    if let Some(v) = ctx.state.chart_views.get(&key) {
        return v;
    }
    let v = Arc::new(draw());
    ctx.state.chart_views.put(key, v.clone());
    v
}

/// Per cent change from `before` to `now`, when there was a before.
pub fn change(now: i64, before: i64) -> Option<i64> {
    (before > 0).then(|| ((now - before) * 100) / before)
}

/// Builds a chart. `missing` is how a bar without a value reads in the
/// table ("not enough views"); `headline` is the period's figure and
/// `before` the same figure for the period before.
#[allow(clippy::too_many_arguments)]
pub fn chart(
    ctx: &Ctx,
    id: &str,
    title: String,
    unit: Unit,
    labels: &[String],
    series: Vec<Series>,
    headline: Option<i64>,
    before: Option<i64>,
    missing: Option<String>,
) -> Trend {
    let dash = || missing.clone().unwrap_or_else(|| "–".to_string());
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| Row {
            label: label.clone(),
            cells: series
                .iter()
                .map(|s| {
                    let value = s.values.get(i).copied().flatten();
                    Cell {
                        value,
                        text: value.map_or_else(dash, |v| unit.format(ctx, v)),
                    }
                })
                .collect(),
        })
        .collect();
    let text = headline.map(|v| unit.format(ctx, v));
    let desc = ctx.t2(
        "trend-desc",
        "what",
        &title,
        "total",
        text.clone().unwrap_or_else(dash),
    );
    let values: Vec<&[Option<i64>]> = series.iter().map(|s| s.values.as_slice()).collect();
    let svg = chart::grouped(id, &title, &desc, labels, &values, unit.top(), &|v| {
        unit.format(ctx, v)
    });
    Trend {
        id: id.to_string(),
        title,
        headline: text.unwrap_or_else(|| "–".to_string()),
        change: headline.zip(before).and_then(|(h, b)| change(h, b)),
        note: headline.is_none().then_some(missing).flatten(),
        names: series.iter().map(|s| s.name.clone()).collect(),
        rows,
        svg,
    }
}

/// A chart of counts per bar: the headline is their total.
pub fn counts(
    ctx: &Ctx,
    id: &str,
    title: String,
    labels: &[String],
    values: &[i64],
    before: i64,
) -> Trend {
    let total = values.iter().sum();
    chart(
        ctx,
        id,
        title.clone(),
        Unit::Count,
        labels,
        vec![Series::counts(title, values)],
        Some(total),
        Some(before),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cut_a_period_on_the_readers_clock() {
        let zone = Zone::named("Asia/Shanghai").unwrap();
        let now = time::macros::datetime!(2026-03-10 20:00);
        // 04:00 on 11 March in Shanghai: today is the 11th there.
        let b = Buckets::last_days(&zone, now, 7);
        assert_eq!(b.len(), 7);
        assert_eq!(b.dates[6], time::macros::date!(2026 - 03 - 11));
        assert_eq!(b.instants[7], time::macros::datetime!(2026-03-11 16:00));
        assert_eq!(
            b.before(),
            [
                time::macros::datetime!(2026-02-25 16:00),
                time::macros::datetime!(2026-03-04 16:00)
            ]
        );
        let year = Buckets::last_days(&zone, now, 365);
        assert_eq!(year.len(), 52);
        let odd = Buckets::between(
            &Zone::utc(),
            time::macros::date!(2026 - 03 - 01),
            time::macros::date!(2026 - 03 - 10),
            7,
        );
        assert_eq!(odd.len(), 2);
        assert_eq!(odd.dates[2], time::macros::date!(2026 - 03 - 11));
        assert_eq!(
            odd.index_of_day(time::macros::date!(2026 - 03 - 08)),
            Some(1)
        );
        assert_eq!(odd.index_of_day(time::macros::date!(2026 - 03 - 11)), None);
    }

    #[test]
    fn change_needs_a_period_before() {
        assert_eq!(change(2, 1), Some(100));
        assert_eq!(change(7, 4), Some(75));
        assert_eq!(change(1, 4), Some(-75));
        assert_eq!(change(3, 0), None);
    }
}
