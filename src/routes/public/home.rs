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
    listings: &'a [ListingCard],
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let public = &ctx.state.public;
    let listings = public
        .home
        .get_or_load(public.key(format_args!("home")), || {
            db::read(ctx.pool(), |conn| Ok(catalogue::latest_public(conn, 12)?))
        })
        .await?;
    render(&HomePage {
        ctx: &ctx,
        listings: &listings,
    })
}
