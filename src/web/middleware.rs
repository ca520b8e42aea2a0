//! Request ids and logs, error pages in the layout, security headers.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{FromRequest, HttpMessage, HttpResponse};
use askama::Template;
use tracing::Instrument;

use crate::error::AppError;
use crate::web::ctx::{Ctx, RequestId};

/// Gives each request an id, logs it, and returns the id in a header.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let mut res = match result {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            let _enter = span.enter();
            tracing::error!(error = %e, "request failed in middleware");
            return Err(e);
        }
    };
    let _enter = span.enter();
    tracing::info!(
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "handled"
    );
    if let Ok(v) = header::HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

/// Marks a request that came as HEAD (and is routed as GET).
#[derive(Clone, Copy)]
pub struct HeadRequest;

/// The methods the portal answers. Anything else (`CONNECT`, `PUT`,
/// `TRACE`...) gets 405 before a byte of its body is read, and the
/// connection is closed, so it cannot be held open.
pub async fn methods(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_web::http::Method;
    let method = req.method().clone();
    // PATCH only where the API changes a record in part.
    let answered = matches!(method, Method::GET | Method::POST | Method::OPTIONS)
        || (method == Method::PATCH && req.path().starts_with("/api/"));
    if method == Method::HEAD {
        // Answered as GET; the server sends the headers without the body.
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(HeadRequest);
    } else if !answered {
        let mut res = HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD, POST, OPTIONS"))
            .finish();
        res.head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorTemplate<'a> {
    ctx: &'a Ctx,
    status: u16,
    title: String,
    message: String,
}

fn keys(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("error-400-title", "error-400-text"),
        403 => ("error-403-title", "error-403-text"),
        404 => ("error-404-title", "error-404-text"),
        405 => ("error-405-title", "error-405-text"),
        408 => ("error-408-title", "error-408-text"),
        409 => ("error-409-title", "error-409-text"),
        413 => ("error-413-title", "error-413-text"),
        422 => ("error-400-title", "error-400-text"),
        429 => ("error-429-title", "error-429-text"),
        503 => ("error-503-title", "error-503-text"),
        s if s >= 500 => ("error-500-title", "error-500-text"),
        _ => ("error-400-title", "error-400-text"),
    }
}

/// A page already, or a JSON answer a page's script reads (passkeys):
/// either is sent as it is.
fn is_final(res: &HttpResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"))
}

/// Draws 4xx and 5xx answers that are not pages yet (handler errors, 404s,
/// rejected bodies) as full pages in the person's language.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request may not be cloned before routing, so errors from inner
    // middleware arrive as responses, never as `Err`.
    let res = next.call(req).await?.map_into_boxed_body();
    let http_req = res.request().clone();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_final(res.response()) {
        return Ok(res);
    }
    // The API answers with its own problem documents.
    if http_req.path() == "/healthz" || http_req.path().starts_with("/api/") {
        return Ok(res);
    }
    let ctx = match Ctx::extract(&http_req).await {
        Ok(ctx) => ctx,
        Err(_) => return Ok(res),
    };
    let (title, text) = keys(status);
    let page = ErrorTemplate {
        ctx: &ctx,
        status: status.as_u16(),
        title: ctx.t(title),
        message: ctx.t(text),
    };
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            return Ok(res);
        }
    };
    let (req_part, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        // Cookies come again below, with those the page itself set.
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::SET_COOKIE
        {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let mut new = new
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    let cookies = req_part
        .extensions()
        .get::<crate::auth::csrf::ResponseCookies>()
        .cloned();
    if let Some(cookies) = cookies {
        for c in cookies.0.borrow().iter() {
            let _ = new.add_cookie(c);
        }
    }
    Ok(ServiceResponse::new(req_part, new))
}

/// Headers on every response, errors and static files included.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let mut h = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'; object-src 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .add((
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if https {
        h = h.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    h
}

/// Turns extractor failures (bad forms, bad paths) into our 400 page.
pub fn bad_request(err: impl std::fmt::Display) -> actix_web::Error {
    tracing::info!(error = %err, "rejected input");
    AppError::BadRequest.into()
}
