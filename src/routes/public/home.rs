use actix_web::HttpResponse;
use askama::Template;

use crate::db;
use crate::error::AppError;
use crate::models::catalogue::{self, ListingCard};
use crate::web::{Ctx, render};

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    listings: Vec<ListingCard>,
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let listings = db::read(ctx.pool(), |conn| Ok(catalogue::latest_public(conn, 12)?)).await?;
    render(&HomePage {
        ctx: &ctx,
        listings,
    })
}
