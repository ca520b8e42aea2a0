use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_staff;
use crate::db;
use crate::domain::required_text;
use crate::error::AppError;
use crate::models::tickets::{self, Canned};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, FormErrors, render, render_status, see_other};

pub const PAGE_SIZE: usize = 25;

#[derive(Deserialize, Default)]
pub struct CannedForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "desk/canned.html")]
struct CannedPage<'a> {
    ctx: &'a Ctx,
    list: Vec<Canned>,
    pager: Pager,
    editing: Option<i64>,
    form: &'a CannedForm,
    errors: FormErrors,
}

async fn canned_page(
    ctx: &Ctx,
    req: PageRequest,
    editing: Option<i64>,
    form: &CannedForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = db::run(ctx.pool(), move |conn| {
        Ok(tickets::canned_page(conn, &req)?)
    })
    .await?;
    let pager = page.pager("/desk/canned", None);
    render_status(
        status,
        &CannedPage {
            ctx,
            list: page.items,
            pager,
            editing,
            form,
            errors,
        },
    )
}

pub async fn index(ctx: Ctx, params: web::Query<PageParams>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    canned_page(
        &ctx,
        PageRequest::parse(&params, PAGE_SIZE),
        None,
        &CannedForm::default(),
        FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn edit_form(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let id = id.into_inner();
    let c = db::run(ctx.pool(), move |conn| {
        tickets::canned_by_id(conn, id)?.ok_or(AppError::NotFound)
    })
    .await?;
    let form = CannedForm {
        title: c.title,
        body: c.body,
    };
    render(&CannedPage {
        ctx: &ctx,
        list: Vec::new(),
        pager: Pager::default(),
        editing: Some(id),
        form: &form,
        errors: FormErrors::new(),
    })
}

async fn save(ctx: Ctx, id: Option<i64>, form: CannedForm) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let mut e = FormErrors::new();
    let title = e.check(
        ctx.lang,
        "title",
        required_text(&form.title, 120, "error-required", "error-too-long"),
    );
    let body = e.check(
        ctx.lang,
        "body",
        required_text(&form.body, 10000, "error-required", "error-too-long"),
    );
    let (Some(title), Some(body)) = (title, body) else {
        return canned_page(
            &ctx,
            PageRequest::first(PAGE_SIZE),
            id,
            &form,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let n = db::run(ctx.pool(), move |conn| {
        Ok(tickets::save_canned(conn, id, &title, &body)?)
    })
    .await?;
    super::menus_changed(&ctx.state);
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "canned-saved");
    Ok(see_other("/desk/canned"))
}

pub async fn create(ctx: Ctx, form: web::Form<CannedForm>) -> Result<HttpResponse, AppError> {
    save(ctx, None, form.into_inner()).await
}

pub async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    form: web::Form<CannedForm>,
) -> Result<HttpResponse, AppError> {
    save(ctx, Some(id.into_inner()), form.into_inner()).await
}

pub async fn delete(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let id = id.into_inner();
    let n = db::run(ctx.pool(), move |conn| {
        Ok(tickets::delete_canned(conn, id)?)
    })
    .await?;
    super::menus_changed(&ctx.state);
    if n == 0 {
        return Err(AppError::NotFound);
    }
    ctx.flash("success", "canned-deleted");
    Ok(see_other("/desk/canned"))
}
