pub mod home;
pub mod system;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(system::health))
        .route("/static/app.css", web::get().to(system::stylesheet))
        .route("/favicon.ico", web::get().to(system::favicon))
        .route("/lang", web::post().to(system::switch_language));
}
