//! Satisfaction links from the resolution email: signed, no sign-in
//! needed, usable to change the rating until the ticket closes. A link
//! opens the survey with its rating chosen; only the page's button
//! records it. Mail scanners fetch every link in a message, so a GET here
//! changes nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, write_tx};
use crate::domain::ticket::Status;
use crate::domain::{optional_text, parse_rating};
use crate::error::AppError;
use crate::models::tickets::{self, Ticket};
use crate::support;
use crate::web::{Ctx, FormErrors, render_status};

#[derive(Template)]
#[template(path = "public/satisfaction.html")]
struct SurveyPage<'a> {
    ctx: &'a Ctx,
    t: &'a Ticket,
    action: String,
    open: bool,
    /// The rating chosen on the form: the link's, else the one recorded.
    chosen: Option<i32>,
    comment: &'a str,
    errors: FormErrors,
}

impl SurveyPage<'_> {
    fn rated(&self, n: impl crate::web::ctx::Val<i32>) -> bool {
        self.chosen == Some(n.val())
    }
}

async fn ticket(ctx: &Ctx, number: i64, sig: &str) -> Result<Ticket, AppError> {
    let t = db::run(ctx.pool(), move |conn| {
        tickets::by_number(conn, number)?.ok_or(AppError::NotFound)
    })
    .await?;
    if !support::satisfaction_valid(&ctx.state.settings.secret, t.id, sig) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

#[derive(Deserialize)]
pub struct RatingQuery {
    rating: Option<String>,
}

#[derive(Deserialize)]
pub struct SurveyForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn record(
    ctx: &Ctx,
    t: Ticket,
    rating: i32,
    comment: Option<String>,
) -> Result<Ticket, AppError> {
    db::run(ctx.pool(), move |conn| {
        write_tx(conn, |conn| {
            let t = tickets::locked(conn, t.id)?;
            tickets::rate(conn, &t, rating, comment.as_deref())?;
            Ok::<_, AppError>(tickets::by_id(conn, t.id)?)
        })
    })
    .await
}

#[allow(clippy::too_many_arguments)]
fn page(
    ctx: &Ctx,
    t: &Ticket,
    sig: &str,
    chosen: Option<i32>,
    comment: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let open = t.status() == Status::Resolved;
    render_status(
        if open { status } else { StatusCode::GONE },
        &SurveyPage {
            ctx,
            t,
            action: format!("/satisfaction/{}/{sig}", t.number),
            open,
            chosen: chosen.or(t.satisfaction_rating),
            comment,
            errors,
        },
    )
}

pub async fn show(
    ctx: Ctx,
    path: web::Path<(i64, String)>,
    q: web::Query<RatingQuery>,
) -> Result<HttpResponse, AppError> {
    let (number, sig) = path.into_inner();
    let t = ticket(&ctx, number, &sig).await?;
    let chosen = q.rating.as_deref().and_then(|r| parse_rating(r).ok());
    page(
        &ctx,
        &t,
        &sig,
        chosen,
        "",
        FormErrors::new(),
        StatusCode::OK,
    )
}

pub async fn submit(
    ctx: Ctx,
    path: web::Path<(i64, String)>,
    form: web::Form<SurveyForm>,
) -> Result<HttpResponse, AppError> {
    let (number, sig) = path.into_inner();
    let t = ticket(&ctx, number, &sig).await?;
    if t.status() != Status::Resolved {
        return page(
            &ctx,
            &t,
            &sig,
            None,
            "",
            FormErrors::new(),
            StatusCode::GONE,
        );
    }
    let mut e = FormErrors::new();
    let rating = e.check(ctx.lang, "rating", parse_rating(&form.rating));
    let comment = e.check(
        ctx.lang,
        "comment",
        optional_text(&form.comment, 2000, "error-too-long"),
    );
    let (Some(rating), Some(comment)) = (rating, comment) else {
        return page(
            &ctx,
            &t,
            &sig,
            rating,
            &form.comment,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let t = record(&ctx, t, rating, Some(comment)).await?;
    ctx.flash("success", "survey-thanks");
    page(&ctx, &t, &sig, None, "", FormErrors::new(), StatusCode::OK)
}
