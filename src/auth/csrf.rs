//! CSRF protection: one token per session, required on every state-changing
//! request as the `csrf` form field (or the `X-CSRF-Token` header).

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::AppError;

/// The largest request body accepted anywhere.
pub const MAX_BODY: usize = 256 * 1024;

/// Reads the form, checks the token, then hands the body on untouched.
pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // One-click unsubscribe (RFC 8058) is posted by mail clients; the
    // signed link is its proof instead of a token.
    if !unsafe_method || req.path().starts_with("/unsubscribe/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    if let Some(len) = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > MAX_BODY
    {
        return Ok(refuse(req, AppError::TooLarge));
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(refuse(req, AppError::BadRequest));
        };
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(refuse(req, AppError::TooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    let body: Bytes = body.freeze();

    let sent = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| form_field(&body, "csrf"));
    let expected: Option<String> = req
        .get_session()
        .get(crate::auth::SESSION_CSRF)
        .ok()
        .flatten();
    let ok = matches!((&sent, &expected), (Some(s), Some(e))
        if !e.is_empty() && crate::auth::constant_time_eq(s.as_bytes(), e.as_bytes()));
    if !ok {
        tracing::warn!(path = %req.path(), "CSRF check failed");
        return Ok(refuse(req, AppError::Csrf));
    }
    req.set_payload(actix_web::dev::Payload::from(body));
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

fn refuse(req: ServiceRequest, error: AppError) -> ServiceResponse<BoxBody> {
    req.into_response(error.error_response())
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The session's token, made on first use.
pub fn token(session: &actix_session::Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(crate::auth::SESSION_CSRF) {
        return t;
    }
    let t = crate::auth::random_id(32);
    let _ = session.insert(crate::auth::SESSION_CSRF, &t);
    t
}
