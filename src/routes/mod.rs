//! Every URL Agora answers, one module per area.

pub mod account;
pub mod public;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    public::configure(cfg);
    account::configure(cfg);
}
