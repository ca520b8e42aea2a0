//! `/desk/requesters/{id}`: every ticket of one requester, newest first,
//! where the ticket page's short history links to.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::require_staff;
use crate::db;
use crate::error::AppError;
use crate::models::tickets::{self, Row};
use crate::models::users::{self, User};
use crate::web::paging::{PageParams, PageRequest, Pager};
use crate::web::{Ctx, render};

pub const PAGE_SIZE: usize = 25;

#[derive(Template)]
#[template(path = "desk/requester.html")]
struct RequesterPage<'a> {
    ctx: &'a Ctx,
    requester: User,
    rows: Vec<Row>,
    pager: Pager,
}

pub async fn show(
    ctx: Ctx,
    id: web::Path<i64>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let id = id.into_inner();
    let req = PageRequest::parse(&params, PAGE_SIZE);
    let (requester, page) = db::run(ctx.pool(), move |conn| {
        let requester = users::by_id(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((requester, tickets::requester_rows(conn, id, &req)?))
    })
    .await?;
    let pager = page.pager(&format!("/desk/requesters/{id}"), None);
    render(&RequesterPage {
        ctx: &ctx,
        requester,
        rows: page.items,
        pager,
    })
}
