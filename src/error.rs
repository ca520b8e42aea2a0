//! One error type for every handler, mapped to a response in one place.
//! The full error page (layout, language, request id) is drawn by the
//! `web::error_pages` middleware from the status set here.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("two-step sign-in required")]
    TwoStepRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("bad request")]
    BadRequest,
    #[error("request body too large")]
    TooLarge,
    #[error("request body not received in time")]
    Timeout,
    #[error("conflict")]
    Conflict,
    /// A unique constraint refused the row: another request made it first.
    #[error("duplicate row")]
    Duplicate,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            ref other if crate::db::is_unique_violation(other) => AppError::Duplicate,
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        AppError::Internal(format!("session: {e}"))
    }
}

/// Marks a response whose page the error middleware must draw.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignInRequired { .. } | AppError::TwoStepRequired => StatusCode::SEE_OTHER,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Timeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Conflict | AppError::Duplicate => StatusCode::CONFLICT,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::SignInRequired { next } => {
                let location = format!("/login?next={}", url_encode(next));
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            }
            AppError::TwoStepRequired => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/me/security?required=1"))
                .finish(),
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "request failed");
                let mut res = HttpResponse::build(self.status_code()).finish();
                res.extensions_mut().insert(ErrorPage);
                res
            }
            other => {
                if matches!(other, AppError::Unavailable) {
                    tracing::warn!("database pool exhausted");
                }
                let mut res = HttpResponse::build(self.status_code()).finish();
                res.extensions_mut().insert(ErrorPage);
                res
            }
        }
    }
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
