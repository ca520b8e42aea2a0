//! Every URL Agora answers, one module per area.

pub mod account;
pub mod admin;
pub mod desk;
pub mod files;
pub mod partner;
pub mod public;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // `/partners/apply` before `/partners/{slug}`.
    crate::api::configure(cfg);
    partner::configure(cfg);
    public::configure(cfg);
    account::configure(cfg);
    admin::configure(cfg);
    desk::configure(cfg);
    files::configure(cfg);
}
