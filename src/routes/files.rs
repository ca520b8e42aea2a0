//! `/attachments/{id}/{name}`: a file of a ticket message, to whoever may
//! see the message: staff; the requester and the members of the ticket's
//! partner, for public messages only. Anyone else gets 404. Always offered
//! for saving (`Content-Disposition: attachment`), never sniffed or run by
//! the browser (`nosniff`, a sandboxing CSP), never kept in a shared cache.

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{HttpResponse, web};

use crate::db;
use crate::error::AppError;
use crate::models::{partners, tickets};
use crate::support::attachments;
use crate::web::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/attachments/{id}/{name}", web::get().to(download));
}

/// `attachment; filename="plain.txt"; filename*=UTF-8''%E5%8F%91.pdf`
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = attachments::url_segment(name);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(ctx: Ctx, path: web::Path<(i64, String)>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?.clone();
    let (id, _) = path.into_inner();
    let found = db::run(ctx.pool(), move |conn| {
        let Some((file, internal)) = attachments::find(conn, id)? else {
            return Ok(None);
        };
        let t = tickets::by_id(conn, file.ticket_id)?;
        let may = if user.is_staff || user.is_admin {
            true
        } else if internal {
            false
        } else if t.requester_id == user.id {
            true
        } else if let Some(pid) = t.partner_id {
            partners::role_of(conn, pid, user.id)?.is_some()
        } else {
            false
        };
        Ok(may.then_some(file))
    })
    .await?;
    let file = found.ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(ctx.state.settings.attachments.path(&file.sha256))
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(file.served_type().to_string())
        .insert_header((CONTENT_DISPOSITION, disposition(&file.filename)))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
