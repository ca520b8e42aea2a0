use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::users;
use crate::web::ctx::LANG_COOKIE;
use crate::web::{AppState, Ctx, safe_next};

/// 200 only when the database answers.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let ok = db::run(&state.pool, |conn| {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })
    .await;
    match ok {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unavailable")
        }
    }
}

const STYLESHEET: &str = include_str!("../../../static/app.css");
const SCRIPT: &str = include_str!("../../../static/app.js");
const FAVICON: &str = include_str!("../../../static/favicon.svg");

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SCRIPT)
}

pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// The footer's language switch: a cookie for everybody, and the saved
/// preference for a signed-in person.
pub async fn switch_language(
    ctx: Ctx,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_code(&form.lang).ok_or(AppError::BadRequest)?;
    if let Some(user) = &ctx.user {
        let id = user.id;
        db::run(ctx.pool(), move |conn| {
            Ok(users::set_locale(conn, id, lang.code())?)
        })
        .await?;
    }
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .http_only(true)
        .secure(ctx.state.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, safe_next(form.next.as_deref())))
        .finish())
}
