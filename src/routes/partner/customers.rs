//! The partner's CRM: customers who consented, with segments, tags, notes
//! and a timeline; a CSV export of the same list.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::PrimitiveDateTime;

use super::{Access, access, access_and_run};
use crate::db;
use crate::domain::required_text;
use crate::domain::segments::Segment;
use crate::error::{AppError, url_encode};
use crate::i18n::{FluentArg, Lang};
use crate::models::crm::{self, Customer, Filter, Movement, Note, Sort, TimelineEntry, Was};
use crate::web::csv_export::{self, csv_err, guard};
use crate::web::paging::{self, PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    was: String,
    #[serde(default)]
    sort: String,
}

impl Filters {
    fn filter(&self) -> Filter {
        Filter {
            q: self.q.trim().to_string(),
            tag: self.tag.trim().to_string(),
            segment: Segment::parse(&self.segment),
            was: Was::parse(&self.was),
            sort: Sort::parse(&self.sort),
        }
    }

    fn query(&self) -> String {
        format!(
            "q={}&tag={}&segment={}&was={}&sort={}",
            url_encode(&self.q),
            url_encode(&self.tag),
            url_encode(&self.segment),
            url_encode(&self.was),
            url_encode(self.filter().sort.code())
        )
    }

    fn sort_code(&self) -> &'static str {
        self.filter().sort.code()
    }
}

#[derive(Template)]
#[template(path = "partner/customers.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    f: &'a Filters,
    customers: Vec<Customer>,
    count: i64,
    capped: bool,
    pager: Pager,
    computed_at: PrimitiveDateTime,
    tags: std::sync::Arc<Vec<String>>,
    segments: [Segment; 6],
    over_time: Segments,
    sorts: [Sort; 4],
}

/// The start of every cached customer count of the partner.
pub fn count_key_prefix(partner_id: i64) -> String {
    format!("crm:{partner_id}:")
}

pub fn moves_key(partner_id: i64) -> String {
    format!("moves:{partner_id}")
}

/// The segments now and a month ago, and who moved between them.
pub struct Segments {
    /// (segment, customers now, customers a month ago).
    pub counts: Vec<(Segment, i64, i64)>,
    /// Who moved, most first (at most `MOVES_SHOWN`): the sentence and
    /// the list's filter for them.
    pub moves: Vec<(String, String)>,
    /// Customers who were none a month ago.
    pub newcomers: i64,
}

/// Movements named under the segments, the largest.
const MOVES_SHOWN: usize = 10;

impl Segments {
    fn of(ctx: &Ctx, moves: &[Movement]) -> Segments {
        let counts = Segment::ALL
            .iter()
            .map(|s| {
                let now = moves.iter().filter(|m| m.to == *s).map(|m| m.customers);
                let then = moves
                    .iter()
                    .filter(|m| m.from == Was::Segment(*s))
                    .map(|m| m.customers);
                (*s, now.sum(), then.sum())
            })
            .collect();
        let mut moved: Vec<(Segment, Segment, i64)> = moves
            .iter()
            .filter_map(|m| match m.from {
                Was::Segment(from) if from != m.to => Some((from, m.to, m.customers)),
                _ => None,
            })
            .collect();
        moved.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.code().cmp(b.0.code())));
        moved.truncate(MOVES_SHOWN);
        Segments {
            counts,
            moves: moved
                .into_iter()
                .map(|(from, to, n)| {
                    (
                        ctx.targs(
                            "crm-move",
                            &[
                                ("count", FluentArg::Num(n)),
                                ("from", FluentArg::Str(ctx.t(from.label_key()))),
                                ("to", FluentArg::Str(ctx.t(to.label_key()))),
                            ],
                        ),
                        format!("was={}&segment={}", from.code(), to.code()),
                    )
                })
                .collect(),
            newcomers: moves
                .iter()
                .filter(|m| m.from == Was::NotYet)
                .map(|m| m.customers)
                .sum(),
        }
    }
}

fn tags_key(partner_id: i64) -> String {
    format!("tags:{partner_id}")
}

/// A customer's tags changed: the partner's tags in use and its counts
/// filtered by tag are read again.
fn tags_changed(ctx: &Ctx, partner_id: i64) {
    ctx.state.partner_tags.forget(&tags_key(partner_id));
    ctx.state
        .figures
        .forget_prefix(&count_key_prefix(partner_id));
}

pub async fn list(
    ctx: Ctx,
    slug: web::Path<String>,
    f: web::Query<Filters>,
    p: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let filter = f.filter();
    let req = PageRequest::parse(&p, crm::PAGE_SIZE);
    // The count reads up to 10,001 rows: kept a little while per filter,
    // and dropped whenever a consent to the partner changes. A search is
    // always counted afresh: it may name one person, and a count kept from
    // before their withdrawal (on another instance, say) would tell of them.
    let searched = !f.q.trim().is_empty();
    let query = f.query();
    let state = ctx.state.clone();
    let (a, (computed_at, page, total, tags, moves)) =
        access_and_run(&ctx, &slug, db::Plans::Generic, move |conn, a| {
            let pid = a.partner.id;
            let count_key = format!("{}{query}", count_key_prefix(pid));
            let computed_at = crm::ensure_scored(conn, pid)?;
            // Every read here plans the same for every partner (index scans
            // by partner with a key lookup per row for the consent, the
            // name and the tags): kept on one plan each (PostgreSQL), where
            // its own choice would plan every page afresh for the largest.
            // The figures kept are loaded once however many ask at once.
            let total = if searched {
                crm::count_capped(conn, pid, &filter)?
            } else {
                *state
                    .figures
                    .get_or_load_blocking(&count_key, || crm::count_capped(conn, pid, &filter))?
            };
            let moves = state
                .segment_moves
                .get_or_load_blocking(&moves_key(pid), || crm::movements(conn, pid))?;
            // The tags in use take a read over all the partner's tags.
            let tags = state
                .partner_tags
                .get_or_load_blocking(&tags_key(pid), || crm::tags_in_use(conn, pid))?;
            let page = crm::page(conn, pid, &filter, &req)?;
            Ok((computed_at, page, total, tags, moves))
        })
        .await?;
    let (count, capped) = paging::capped(total);
    let pages = (!capped).then(|| (total as usize).div_ceil(crm::PAGE_SIZE).max(1));
    let pager = page.pager(&format!("{}/customers?{}", a.base(), f.query()), pages);
    render(&ListPage {
        ctx: &ctx,
        a: &a,
        f: &f,
        customers: page.items,
        count,
        capped,
        pager,
        computed_at,
        tags,
        segments: Segment::ALL,
        over_time: Segments::of(&ctx, &moves),
        sorts: Sort::ALL,
    })
}

pub async fn export(
    ctx: Ctx,
    slug: web::Path<String>,
    f: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let a = access(&ctx, &slug).await?;
    let (pid, filter) = (a.partner.id, f.filter());
    db::run(ctx.pool(), move |conn| Ok(crm::ensure_scored(conn, pid)?)).await?;
    let lang = ctx.lang;
    Ok(csv_export::streamed(
        ctx.pool(),
        &format!("{}-customers.csv", a.partner.slug),
        header_line(lang),
        0,
        "customer export",
        move |conn, after| {
            let rows = crm::export_batch(conn, pid, &filter, after)?;
            let next = match rows.last() {
                Some(last) if rows.len() as i64 == crm::EXPORT_BATCH => Some(last.id),
                _ => None,
            };
            Ok((csv_lines(lang, &rows)?, next))
        },
    ))
}

fn header_line(lang: Lang) -> Result<Bytes, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
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
    Ok(Bytes::from(w.into_inner().map_err(csv_err)?))
}

fn csv_lines(lang: Lang, rows: &[Customer]) -> Result<Bytes, AppError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 96));
    for c in rows {
        let Some(s) = &c.score else { continue };
        w.write_record([
            guard(&c.name),
            guard(&c.email),
            s.last_activity.date().to_string(),
            s.recent_activities.to_string(),
            s.satisfaction_text().unwrap_or_default(),
            lang.t(s.segment.label_key()),
            s.r.to_string(),
            s.f.to_string(),
            s.s.to_string(),
            guard(&c.tags.join(", ")),
        ])
        .map_err(csv_err)?;
    }
    Ok(Bytes::from(w.into_inner().map_err(csv_err)?))
}

#[derive(Template)]
#[template(path = "partner/customer.html")]
struct CustomerPage<'a> {
    ctx: &'a Ctx,
    a: &'a Access,
    c: &'a Customer,
    notes: Vec<Note>,
    timeline: Vec<TimelineEntry>,
    pager: Pager,
    note: &'a str,
    tag: &'a str,
    errors: FormErrors,
}

impl CustomerPage<'_> {
    fn kind_key(&self, kind: &str) -> &'static str {
        crate::models::engagements::activity_label_key(kind)
    }
}

/// A consenting customer of this partner; anyone else is a 404.
async fn customer(ctx: &Ctx, a: &Access, id: i64) -> Result<Customer, AppError> {
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        crm::ensure_scored(conn, pid)?;
        crm::customer(conn, pid, id)?.ok_or(AppError::NotFound)
    })
    .await
}

#[allow(clippy::too_many_arguments)]
async fn customer_page(
    ctx: &Ctx,
    a: &Access,
    c: &Customer,
    req: PageRequest,
    note: &str,
    tag: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (pid, cid) = (a.partner.id, c.id);
    let (notes, timeline) = db::run(ctx.pool(), move |conn| {
        Ok((
            crm::notes(conn, pid, cid)?,
            crm::timeline(conn, pid, cid, &req)?,
        ))
    })
    .await?;
    let pager = timeline.pager(&format!("{}/customers/{cid}", a.base()), None);
    render_status(
        status,
        &CustomerPage {
            ctx,
            a,
            c,
            notes,
            timeline: timeline.items,
            pager,
            note,
            tag,
            errors,
        },
    )
}

pub async fn show(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    p: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let a = access(&ctx, &slug).await?;
    let c = customer(&ctx, &a, id).await?;
    let req = PageRequest::parse(&p, crm::TIMELINE_PAGE_SIZE);
    customer_page(&ctx, &a, &c, req, "", "", FormErrors::new(), StatusCode::OK).await
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
            PageRequest::first(crm::TIMELINE_PAGE_SIZE),
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
            PageRequest::first(crm::TIMELINE_PAGE_SIZE),
            "",
            &form.tag,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let pid = a.partner.id;
    db::run(ctx.pool(), move |conn| {
        db::write_tx_retrying(conn, |conn| {
            Ok::<_, AppError>(crm::add_tag(conn, pid, id, &tag)?)
        })
    })
    .await?;
    tags_changed(&ctx, pid);
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
    tags_changed(&ctx, pid);
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
