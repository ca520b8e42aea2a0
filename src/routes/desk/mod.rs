//! The support desk, `/desk`: staff only; anyone else gets a 404.

pub mod canned;
pub mod queue;
pub mod reports;
pub mod requester;
pub mod ticket;

use actix_web::web;

use crate::error::AppError;
use crate::models::users::User;
use crate::web::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/desk", web::get().to(queue::index))
        .route("/desk/tickets/{number}", web::get().to(ticket::show))
        .route(
            "/desk/tickets/{number}/mail/{id}",
            web::get().to(ticket::original),
        )
        .route(
            "/desk/tickets/{number}/reply",
            web::post().to(ticket::reply),
        )
        .route(
            "/desk/tickets/{number}/assign",
            web::post().to(ticket::assign),
        )
        .route(
            "/desk/tickets/{number}/status",
            web::post().to(ticket::status),
        )
        .route(
            "/desk/tickets/{number}/priority",
            web::post().to(ticket::priority),
        )
        .route("/desk/canned", web::get().to(canned::index))
        .route("/desk/canned", web::post().to(canned::create))
        .route("/desk/canned/{id}", web::get().to(canned::edit_form))
        .route("/desk/canned/{id}", web::post().to(canned::update))
        .route("/desk/canned/{id}/delete", web::post().to(canned::delete))
        .route("/desk/requesters/{id}", web::get().to(requester::show))
        .route("/desk/reports", web::get().to(reports::show))
        .route("/desk/reports.csv", web::get().to(reports::export));
}

pub fn require_staff(ctx: &Ctx) -> Result<&User, AppError> {
    let user = ctx.require_user()?;
    if !(user.is_staff || user.is_admin) {
        return Err(AppError::NotFound);
    }
    if ctx.two_step_missing {
        return Err(AppError::TwoStepRequired);
    }
    Ok(user)
}

/// The lists every desk page offers: agents to assign and canned replies.
/// Kept for a few seconds (AGORA_FIGURES_CACHE_SECONDS, at most 10) and
/// dropped here when staff, names or canned replies change; another
/// instance sees a change within those seconds.
pub struct Menus {
    pub agents: Vec<(i64, String)>,
    pub canned: Vec<crate::models::tickets::Canned>,
}

const MENUS_KEY: &str = "menus";

/// The desk's menus, read when not kept.
pub fn menus(
    state: &crate::web::AppState,
    conn: &mut crate::db::AnyConnection,
) -> Result<std::sync::Arc<Menus>, AppError> {
    if let Some(m) = state.desk_menus.get(MENUS_KEY) {
        return Ok(m);
    }
    let menus = std::sync::Arc::new(Menus {
        agents: crate::models::tickets::staff(conn)?,
        canned: crate::models::tickets::canned(conn)?,
    });
    state.desk_menus.put(MENUS_KEY.into(), menus.clone());
    Ok(menus)
}

/// Someone's staff flag, account or name changed, or a canned reply did.
pub fn menus_changed(state: &crate::web::AppState) {
    state.desk_menus.forget(MENUS_KEY);
}
