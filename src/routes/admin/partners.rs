use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_admin;
use crate::db::{self, write_tx};
use crate::domain::optional_text;
use crate::error::{AppError, url_encode};
use crate::mail::messages;
use crate::models::partners::{self, Partner, Role};
use crate::models::{audit, outbox, search, users};
use crate::web::paging::{self, PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

pub const PAGE_SIZE: usize = 50;

/// The statuses the list can be narrowed to.
const STATUSES: [&str; 4] = [
    partners::PENDING,
    partners::APPROVED,
    partners::SUSPENDED,
    partners::REJECTED,
];

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    page: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/partners.html")]
struct IndexPage<'a> {
    ctx: &'a Ctx,
    partners: Vec<Partner>,
    pager: Pager,
    status: Option<&'static str>,
    statuses: [&'static str; 4],
    q: &'a str,
    /// Applications waiting for review, capped.
    pending: (i64, bool),
}

impl IndexPage<'_> {
    fn status_label(&self, s: &str) -> String {
        self.ctx.t(&format!("partner-status-{s}"))
    }
    fn is_status(&self, s: &str) -> bool {
        self.status == Some(s)
    }
    fn pending_count(&self) -> String {
        let shown = self.ctx.number(&self.pending.0);
        if self.pending.1 {
            self.ctx.t1("count-capped", "count", shown)
        } else {
            shown
        }
    }
}

/// Partners newest first, narrowed by status and name; the number of
/// applications waiting links to them.
pub async fn index(ctx: Ctx, q: web::Query<IndexQuery>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    let status = STATUSES.into_iter().find(|s| *s == q.status);
    let req = PageRequest::parse(
        &PageParams {
            page: q.page.clone(),
            after: q.after.clone(),
        },
        PAGE_SIZE,
    );
    let search = q.q.clone();
    let (page, pending) = db::run(ctx.pool(), move |conn| {
        Ok((
            partners::admin_page(conn, status, &search, &req)?,
            partners::count_with_status(conn, partners::PENDING)?,
        ))
    })
    .await?;
    let base = format!(
        "/admin/partners?status={}&q={}",
        status.unwrap_or(""),
        url_encode(&q.q)
    );
    render(&IndexPage {
        ctx: &ctx,
        pager: page.pager(&base, None),
        partners: page.items,
        status,
        statuses: STATUSES,
        q: &q.q,
        pending: paging::capped(pending),
    })
}

#[derive(Template)]
#[template(path = "admin/partner.html")]
struct ShowPage<'a> {
    ctx: &'a Ctx,
    partner: &'a Partner,
    applicant: Option<users::User>,
    members: Vec<partners::Member>,
    reason: &'a str,
    errors: FormErrors,
}

async fn show_page(
    ctx: &Ctx,
    id: i64,
    reason: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (partner, applicant, members) = db::run(ctx.pool(), move |conn| {
        let p = partners::by_id(conn, id)?.ok_or(AppError::NotFound)?;
        let applicant = match p.applicant_id {
            Some(a) => users::by_id(conn, a)?,
            None => None,
        };
        let members = partners::members(conn, p.id)?;
        Ok((p, applicant, members))
    })
    .await?;
    render_status(
        status,
        &ShowPage {
            ctx,
            partner: &partner,
            applicant,
            members,
            reason,
            errors,
        },
    )
}

pub async fn show(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    show_page(&ctx, id.into_inner(), "", FormErrors::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    action: String,
    #[serde(default)]
    reason: String,
}

/// Approve, reject, suspend or reinstate. Rejecting and suspending need a
/// reason; the applicant hears of approval and rejection by email.
pub async fn decide(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, AppError> {
    let admin = require_admin(&ctx)?.clone();
    let id = id.into_inner();
    let (from, to) = match form.action.as_str() {
        "approve" => (partners::PENDING, partners::APPROVED),
        "reject" => (partners::PENDING, partners::REJECTED),
        "suspend" => (partners::APPROVED, partners::SUSPENDED),
        "reinstate" => (partners::SUSPENDED, partners::APPROVED),
        _ => return Err(AppError::BadRequest),
    };
    let mut errors = FormErrors::new();
    let reason = errors.check(
        ctx.lang,
        "reason",
        optional_text(&form.reason, 1000, "error-too-long"),
    );
    let needs_reason = matches!(form.action.as_str(), "reject" | "suspend");
    if needs_reason && reason.as_deref().is_some_and(str::is_empty) {
        errors.add("reason", ctx.t("error-reason-required"));
    }
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return show_page(
            &ctx,
            id,
            &form.reason,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let base = ctx.base_url().to_string();
    let domain = ctx.state.mail_domain();
    let ip = ctx.ip.clone();
    let action = form.action.clone();
    let done = db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let p = partners::by_id(conn, id)?.ok_or(AppError::NotFound)?;
            if p.status != from {
                return Ok::<_, AppError>(false);
            }
            partners::set_status(
                conn,
                id,
                to,
                (!reason.is_empty()).then_some(reason.as_str()),
            )?;
            let applicant = match p.applicant_id {
                Some(a) => users::by_id(conn, a)?,
                None => None,
            };
            if to == partners::APPROVED && from == partners::PENDING {
                if let Some(u) = &applicant {
                    partners::upsert_member(conn, p.id, u.id, Role::Owner)?;
                }
                search::reindex_partner(conn, p.id)?;
            }
            if from == partners::PENDING
                && let Some(u) = &applicant
            {
                let lang = u.lang();
                let mail = messages::partner_decision(
                    lang,
                    &u.email,
                    &u.display_name,
                    &p.name,
                    to == partners::APPROVED,
                    &reason,
                    &format!("{base}/partner/{}", p.slug),
                )?;
                outbox::enqueue(conn, &domain, &mail)?;
            }
            audit::record(
                conn,
                Some(admin.id),
                &format!("partner_{action}"),
                &format!("partner:{id}"),
                Some(&ip),
            )?;
            Ok(true)
        })
    })
    .await?;
    ctx.state.mail_wakeup.notify_one();
    if done {
        ctx.flash("success", "admin-partner-updated");
    } else {
        ctx.flash("error", "admin-partner-status-refused");
    }
    Ok(see_other(&format!("/admin/partners/{id}")))
}
