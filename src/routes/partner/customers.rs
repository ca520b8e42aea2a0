//! The partner's CRM: customers who consented, with segments, tags, notes
//! and a timeline; a CSV export of the same list.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Access, access};
use crate::db;
use crate::domain::required_text;
use crate::domain::segments::Segment;
use crate::error::{AppError, url_encode};
use crate::models::crm::{self, Customer, Note, TimelineEntry};
use crate::models::now;
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    segment: String,
}

impl Filters {
    fn keep(&self, c: &Customer) -> bool {
        let q = self.q.trim().to_lowercase();
        (q.is_empty() || c.name.to_lowercase().contains(&q) || c.email.contains(&q))
            && (self.tag.is_empty() || c.tags.contains(&self.tag))
            && Segment::parse(&self.segment).is_none_or(|s| c.scores.segment == s)
    }

    fn query(&self) -> String {
        format!(
            "q={}&tag={}&segment={}",
            url_encode(&self.q),
            url_encode(&self.tag),
            url_encode(&self.segment)
        )
    }
}

async fn load(
    ctx: &Ctx,
    a: &Access,
    f: &Filters,
) -> Result<(Vec<Customer>, Vec<String>), AppError> {
    let pid = a.partner.id;
    let (all, tags) = db::run(ctx.pool(), move |conn| {
        Ok((
            crm::customers(conn, pid, now())?,
            crm::tags_in_use(conn, pid)?,
        ))
    })
    .await?;
    Ok((all.into_iter().filter(|c| f.keep(c)).collect(), tags))
}

#[derive(Template)]
#[template(path = "partner/customers.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    f: &'a Filters,
    customers: Vec<Customer>,
    tags: Vec<String>,
    segments: [Segment; 6],
}

pub async fn list(
    ctx: Ctx,
    slug: web::Path<String>,
    f: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let (customers, tags) = load(&ctx, &a, &f).await?;
    render(&ListPage {
        ctx: &ctx,
        a: &a,
        f: &f,
        customers,
        tags,
        segments: Segment::ALL,
    })
}

/// The same list as CSV, with the same filters.
pub async fn export(
    ctx: Ctx,
    slug: web::Path<String>,
    f: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let (customers, _) = load(&ctx, &a, &f).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let lang = ctx.lang;
    let csv_err = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record([
        lang.t("field-display-name"),
        lang.t("field-email"),
        lang.t("crm-last-activity"),
        lang.t("crm-activities-90"),
        lang.t("report-satisfaction"),
        lang.t("crm-segment"),
        "R".into(),
        "F".into(),
        "S".into(),
        lang.t("crm-tags"),
    ])
    .map_err(csv_err)?;
    for c in &customers {
        w.write_record([
            guard(&c.name),
            guard(&c.email),
            c.last_activity.date().to_string(),
            c.recent_activities.to_string(),
            c.satisfaction_text().unwrap_or_default(),
            lang.t(c.scores.segment.label_key()),
            c.scores.r.to_string(),
            c.scores.f.to_string(),
            c.scores.s.to_string(),
            guard(&c.tags.join(", ")),
        ])
        .map_err(csv_err)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-customers.csv\"", a.partner.slug),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Cells that a spreadsheet would run as a formula get a leading quote.
fn guard(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

#[derive(Template)]
#[template(path = "partner/customer.html")]
struct CustomerPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    c: &'a Customer,
    notes: Vec<Note>,
    timeline: Vec<TimelineEntry>,
    note: &'a str,
    tag: &'a str,
    errors: FormErrors,
}

impl CustomerPage<'_> {
    fn kind_key(&self, kind: &str) -> &'static str {
        match kind {
            "engaged" => "timeline-engaged",
            "consent_given" => "timeline-consent-given",
            "consent_withdrawn" => "timeline-consent-withdrawn",
            "reviewed" => "timeline-reviewed",
            "ticket_opened" => "timeline-ticket-opened",
            "ticket_replied" => "timeline-ticket-replied",
            "ticket_answered" => "timeline-ticket-answered",
            "note_added" => "timeline-note-added",
            _ => "timeline-other",
        }
    }
}

/// A consenting customer of this partner; anyone else is a 404.
async fn customer(ctx: &Ctx, a: &Access, id: i64) -> Result<Customer, AppError> {
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        crm::customers(conn, pid, now())?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(AppError::NotFound)
    })
    .await
}

async fn customer_page(
    ctx: &Ctx,
    a: &Access,
    c: &Customer,
    note: &str,
    tag: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (pid, cid) = (a.partner.id, c.id);
    let (notes, timeline) = db::run(ctx.pool(), move |conn| {
        Ok((crm::notes(conn, pid, cid)?, crm::timeline(conn, pid, cid)?))
    })
    .await?;
    render_status(
        status,
        &CustomerPage {
            ctx,
            a,
            c,
            notes,
            timeline,
            note,
            tag,
            errors,
        },
    )
}

pub async fn show(ctx: Ctx, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let c = customer(&ctx, &a, id).await?;
    customer_page(&ctx, &a, &c, "", "", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let c = customer(&ctx, &a, id).await?;
    let mut e = FormErrors::new();
    let Some(body) = e.check(
        ctx.lang,
        "body",
        required_text(&form.body, 4000, "error-required", "error-too-long"),
    ) else {
        return customer_page(
            &ctx,
            &a,
            &c,
            &form.body,
            "",
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (pid, author) = (a.partner.id, ctx.require_user()?.id);
    db::run(ctx.pool(), move |conn| {
        crate::db::write_tx(conn, |conn| {
            Ok::<_, AppError>(crm::add_note(conn, pid, id, author, &body)?)
        })
    })
    .await?;
    ctx.flash("success", "crm-note-added");
    Ok(see_other(&format!("{}/customers/{id}", a.base())))
}

#[derive(Deserialize)]
pub struct TagForm {
    #[serde(default)]
    tag: String,
}

fn parse_tag(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim().to_lowercase();
    if t.is_empty() {
        return Err("error-required");
    }
    if t.chars().count() > 40 || t.contains(',') || t.chars().any(char::is_control) {
        return Err("error-tag-invalid");
    }
    Ok(t)
}

pub async fn add_tag(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<TagForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let c = customer(&ctx, &a, id).await?;
    let mut e = FormErrors::new();
    let Some(tag) = e.check(ctx.lang, "tag", parse_tag(&form.tag)) else {
        return customer_page(
            &ctx,
            &a,
            &c,
            "",
            &form.tag,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        crate::db::write_tx(conn, |conn| {
            Ok::<_, AppError>(crm::add_tag(conn, pid, id, &tag)?)
        })
    })
    .await?;
    Ok(see_other(&format!("{}/customers/{id}", a.base())))
}

pub async fn remove_tag(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<TagForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    customer(&ctx, &a, id).await?;
    let (pid, tag) = (a.partner.id, form.tag.clone());
    db::run(ctx.pool(), move |conn| {
        Ok(crm::remove_tag(conn, pid, id, &tag)?)
    })
    .await?;
    Ok(see_other(&format!("{}/customers/{id}", a.base())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_csv_cells() {
        assert_eq!(parse_tag("  VIP "), Ok("vip".to_string()));
        assert!(parse_tag("").is_err());
        assert!(parse_tag("a,b").is_err());
        assert_eq!(guard("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(guard("Ann"), "Ann");
    }
}
