//! `/admin/sla`: targets per priority and the business hours they count in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::require_admin;
use crate::db::{self, write_tx};
use crate::domain::sla::{format_schedule, parse_schedule};
use crate::domain::ticket::Priority;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::models::{audit, tickets};
use crate::web::{Ctx, FormErrors, render_status, see_other};

#[derive(Template)]
#[template(path = "admin/sla.html")]
struct SlaPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<(Priority, String, String)>,
    /// The zone's name as kept (an IANA name, or `UTC+08:00`).
    zone: String,
    schedule: String,
    errors: FormErrors,
}

fn hours_text(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.2}", minutes as f64 / 60.0)
    }
}

pub async fn form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let cfg = db::run(ctx.pool(), |conn| Ok(tickets::sla_config(conn)?)).await?;
    let rows = Priority::ALL
        .iter()
        .map(|p| {
            let (f, r) = cfg.targets(*p);
            (*p, hours_text(f), hours_text(r))
        })
        .collect();
    render_status(
        StatusCode::OK,
        &SlaPage {
            ctx: &ctx,
            rows,
            zone: cfg.hours.zone.name().to_string(),
            schedule: format_schedule(&cfg.hours),
            errors: FormErrors::new(),
        },
    )
}

fn parse_hours(s: &str) -> Option<i64> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    (v > 0.0 && v <= 24.0 * 365.0).then(|| (v * 60.0).round() as i64)
}

pub async fn submit(
    ctx: Ctx,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let admin = require_admin(&ctx)?.id;
    let get = |k: &str| -> String {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = FormErrors::new();
    let mut targets = Vec::new();
    let mut rows = Vec::new();
    for p in Priority::ALL {
        let (fk, rk) = (
            format!("first_{}", p.as_str()),
            format!("resolution_{}", p.as_str()),
        );
        let (fv, rv) = (get(&fk), get(&rk));
        match (parse_hours(&fv), parse_hours(&rv)) {
            (Some(f), Some(r)) if f <= r => targets.push((p, f, r)),
            (Some(_), Some(_)) => errors.add(&rk, ctx.t("error-sla-order")),
            (None, _) => errors.add(&fk, ctx.t("error-hours-invalid")),
            (_, None) => errors.add(&rk, ctx.t("error-hours-invalid")),
        }
        rows.push((p, fv, rv));
    }
    let (zone_raw, schedule_raw) = (get("time_zone"), get("schedule"));
    let zone = Zone::parse(&zone_raw);
    if zone.is_none() {
        errors.add("time_zone", ctx.t("error-zone-invalid"));
    }
    let schedule = match parse_schedule(&schedule_raw, Zone::utc()) {
        Ok(h) => Some(format_schedule(&h)),
        Err(key) => {
            errors.add("schedule", ctx.t(key));
            None
        }
    };
    let (Some(zone), Some(schedule)) = (zone, schedule.filter(|_| errors.is_empty())) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SlaPage {
                ctx: &ctx,
                rows,
                zone: zone_raw,
                schedule: schedule_raw,
                errors,
            },
        );
    };
    let ip = ctx.ip.clone();
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            tickets::save_sla(conn, &targets, &zone, &schedule)?;
            audit::record(conn, Some(admin), "sla_changed", "sla", Some(&ip))?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    ctx.flash("success", "sla-saved");
    Ok(see_other("/admin/sla"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours() {
        assert_eq!(parse_hours("1.5"), Some(90));
        assert_eq!(parse_hours("0"), None);
        assert_eq!(hours_text(90), "1.50");
        assert_eq!(hours_text(240), "4");
    }
}
