pub mod catalogue;
pub mod developers;
pub mod engage;
pub mod home;
pub mod satisfaction;
pub mod system;
pub mod unsubscribe;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(system::health))
        .route("/static/app.css", web::get().to(system::stylesheet))
        .route("/static/app.js", web::get().to(system::script))
        .route("/favicon.ico", web::get().to(system::favicon))
        .route("/developers", web::get().to(developers::reference))
        .route("/lang", web::post().to(system::switch_language))
        .route("/listings", web::get().to(catalogue::index))
        .route("/listings/{slug}", web::get().to(catalogue::show))
        .route("/listings/{slug}/engage", web::post().to(engage::engage))
        .route("/listings/{slug}/consent", web::post().to(engage::consent))
        .route("/listings/{slug}/review", web::post().to(engage::review))
        .route("/partners/{slug}", web::get().to(catalogue::partner))
        .route(
            "/unsubscribe/engagements/{id}/{sig}",
            web::get().to(unsubscribe::confirm),
        )
        .route(
            "/unsubscribe/engagements/{id}/{sig}",
            web::post().to(unsubscribe::unsubscribe),
        )
        .route(
            "/satisfaction/{number}/{sig}",
            web::get().to(satisfaction::show),
        )
        .route(
            "/satisfaction/{number}/{sig}",
            web::post().to(satisfaction::submit),
        );
}
