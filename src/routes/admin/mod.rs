//! Platform admin pages under `/admin`; anyone else gets a 404.

pub mod catalogue;
pub mod partners;
pub mod people;
pub mod sla;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::AppError;
use crate::models::users::User;
use crate::web::{Ctx, render};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(home))
        .route("/admin/partners", web::get().to(partners::index))
        .route("/admin/partners/{id}", web::get().to(partners::show))
        .route(
            "/admin/partners/{id}/decide",
            web::post().to(partners::decide),
        )
        .route("/admin/categories", web::get().to(catalogue::categories))
        .route(
            "/admin/categories",
            web::post().to(catalogue::create_category),
        )
        .route(
            "/admin/categories/{id}",
            web::post().to(catalogue::rename_category),
        )
        .route(
            "/admin/categories/{id}/delete",
            web::post().to(catalogue::delete_category),
        )
        .route("/admin/users", web::get().to(people::users))
        .route("/admin/users/{id}", web::post().to(people::change_user))
        .route("/admin/audit", web::get().to(people::audit_log))
        .route("/admin/outbox", web::get().to(people::outbox_page))
        .route("/admin/outbox/{id}/retry", web::post().to(people::retry))
        .route("/admin/sla", web::get().to(sla::form))
        .route("/admin/sla", web::post().to(sla::submit))
        .route("/admin/listings", web::get().to(catalogue::listings_page))
        .route(
            "/admin/listings/{id}/take-down",
            web::post().to(catalogue::take_down),
        )
        .route("/admin/moderation", web::get().to(catalogue::moderation))
        .route(
            "/admin/moderation/{id}",
            web::post().to(catalogue::moderate),
        );
}

pub fn require_admin(ctx: &Ctx) -> Result<&User, AppError> {
    let user = ctx.require_user()?;
    if !user.is_admin {
        return Err(AppError::NotFound);
    }
    if ctx.two_step_missing {
        return Err(AppError::TwoStepRequired);
    }
    Ok(user)
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
}

pub async fn home(ctx: Ctx) -> Result<HttpResponse, AppError> {
    require_admin(&ctx)?;
    render(&HomePage { ctx: &ctx })
}
