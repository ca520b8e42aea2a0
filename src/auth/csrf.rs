//! CSRF protection: one token per session, required on every state-changing
//! request as the `csrf` form field (or the `X-CSRF-Token` header).
//!
//! Pages never carry the token itself but a fresh mask of it (a random pad
//! and the pad XORed with the token), so a compressed page does not give
//! the token away byte by byte to someone who can add text to it (BREACH).

use std::cell::RefCell;
use std::rc::Rc;

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::AppError;

/// The largest request body accepted anywhere.
pub const MAX_BODY: usize = 256 * 1024;

/// How long a request body may take to arrive, unless configured.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The cookie that carries an anonymous visitor's CSRF nonce. The form
/// token is an HMAC of it, so checking it needs no server-side state and
/// reading a page writes nothing. Over https the name has the `__Host-`
/// prefix, so a sibling subdomain cannot plant one.
pub fn anon_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-agora_csrf"
    } else {
        "agora_csrf"
    }
}

/// The form token for an anonymous visitor's nonce.
pub fn anon_token(secret: &[u8], nonce: &str) -> String {
    crate::auth::sign(secret, &format!("csrf:{nonce}"))
}

/// A fresh mask of `token` for one form: base64url(pad ‖ pad ⊕ token).
pub fn mask(token: &str) -> String {
    let raw = token.as_bytes();
    let mut out = vec![0u8; raw.len() * 2];
    rand::fill(&mut out[..raw.len()]);
    for i in 0..raw.len() {
        out[raw.len() + i] = out[i] ^ raw[i];
    }
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, out)
}

/// The token a form's masked value stands for; `None` when it is not one.
pub fn unmask(masked: &str) -> Option<String> {
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, masked).ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    let token: Vec<u8> = pad.iter().zip(xored).map(|(p, x)| p ^ x).collect();
    String::from_utf8(token).ok()
}

/// Nonces are made by `random_id(24)`: 32 URL-safe characters.
fn valid_nonce(v: &str) -> bool {
    v.len() == 32
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Cookies a handler wants set on its response (the anonymous CSRF nonce,
/// anonymous flash messages); applied by `check` on the way out.
#[derive(Clone, Default)]
pub struct ResponseCookies(pub Rc<RefCell<Vec<Cookie<'static>>>>);

impl ResponseCookies {
    pub fn add(&self, c: Cookie<'static>) {
        let mut list = self.0.borrow_mut();
        list.retain(|old| old.name() != c.name());
        list.push(c);
    }
}

/// The anonymous visitor's nonce: from their cookie, or made for this
/// response (and then set only if a page used it).
#[derive(Clone)]
pub struct AnonNonce {
    pub value: String,
    pub fresh: bool,
}

/// Makes a cookie of Agora's: HttpOnly, SameSite=Lax, for the whole site,
/// `Secure` unless served over plain http on loopback.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

async fn finish(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    out: ResponseCookies,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    for c in out.0.borrow().iter() {
        let _ = res.response_mut().add_cookie(c);
    }
    Ok(res)
}

/// Reads the form, checks the token, then hands the body on untouched.
pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let out = ResponseCookies::default();
    req.extensions_mut().insert(out.clone());
    let state = req
        .app_data::<actix_web::web::Data<crate::web::AppState>>()
        .cloned();
    let secure = state.as_ref().is_none_or(|s| s.secure_cookies);
    let nonce = match req.cookie(anon_cookie(secure)) {
        Some(c) if valid_nonce(c.value()) => AnonNonce {
            value: c.value().to_string(),
            fresh: false,
        },
        _ => AnonNonce {
            value: crate::auth::random_id(24),
            fresh: true,
        },
    };
    req.extensions_mut().insert(nonce.clone());
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method {
        return finish(req, next, out).await;
    }
    // A form with files streams to its handler, which limits each file:
    // its token comes in the query string of the form's action.
    let multipart = crate::web::upload::is_multipart(req.headers());
    // One-click unsubscribe (RFC 8058, often sent as multipart) and the
    // API answer to their own proofs, as below for other bodies.
    let exempt = req.path().starts_with("/unsubscribe/") || req.path().starts_with("/api/");
    if multipart && exempt {
        return changed(state, finish(req, next, out).await);
    }
    if multipart {
        let sent = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()
            .and_then(|q| q.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
            .and_then(|masked| unmask(&masked))
            .unwrap_or_default();
        if !token_holds(&req, state.as_ref(), &nonce, &sent) {
            tracing::warn!(path = %req.path(), "CSRF check failed");
            return Ok(refuse(req, AppError::Csrf));
        }
        return changed(state, finish(req, next, out).await);
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
    let limit = state
        .as_ref()
        .map_or(BODY_TIMEOUT, |s| s.settings.body_timeout);
    let mut payload = req.take_payload();
    let read = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let Ok(chunk) = chunk else {
                return Err(AppError::BadRequest);
            };
            if body.len() + chunk.len() > MAX_BODY {
                return Err(AppError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    let body = match tokio::time::timeout(limit, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Ok(refuse(req, e)),
        Err(_) => {
            let mut res = refuse(req, AppError::Timeout);
            res.response_mut()
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            return Ok(res);
        }
    };
    let body: Bytes = body.freeze();
    // One-click unsubscribe (RFC 8058) is posted by mail clients; the
    // signed link is its proof instead of a token.
    // The API answers to bearer tokens only, never to cookies: there is
    // nothing for a forged cross-site request to ride on.
    if req.path().starts_with("/unsubscribe/") || req.path().starts_with("/api/") {
        req.set_payload(actix_web::dev::Payload::from(body));
        return changed(state, finish(req, next, out).await);
    }

    let sent = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| form_field(&body, "csrf"))
        .and_then(|masked| unmask(&masked))
        .unwrap_or_default();
    if !token_holds(&req, state.as_ref(), &nonce, &sent) {
        tracing::warn!(path = %req.path(), "CSRF check failed");
        return Ok(refuse(req, AppError::Csrf));
    }
    req.set_payload(actix_web::dev::Payload::from(body));
    changed(state, finish(req, next, out).await)
}

/// After a POST went through, public pages read before it are not served
/// from the cache again. A refused one (4xx) changed nothing, and does not
/// empty the cache either.
fn changed(
    state: Option<actix_web::web::Data<crate::web::AppState>>,
    result: Result<ServiceResponse<BoxBody>, actix_web::Error>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = matches!(&result, Ok(res) if res.status().is_client_error());
    if let Some(state) = state
        && !refused
    {
        state.public.changed();
        // A change may have queued webhook deliveries.
        state.webhook_wakeup.notify_one();
    }
    result
}

/// Whether `sent` (unmasked) is the request's token: a signed-in session
/// answers only to its own; before sign-in, the one bound to the
/// visitor's nonce cookie will do.
fn token_holds(
    req: &ServiceRequest,
    state: Option<&actix_web::web::Data<crate::web::AppState>>,
    nonce: &AnonNonce,
    sent: &str,
) -> bool {
    let session = req.get_session();
    let expected: Option<String> = session.get(crate::auth::SESSION_CSRF).ok().flatten();
    let signed_in = session
        .get::<i64>(crate::auth::SESSION_USER)
        .ok()
        .flatten()
        .is_some();
    let eq =
        |e: &str| !e.is_empty() && crate::auth::constant_time_eq(sent.as_bytes(), e.as_bytes());
    let by_session = expected.as_deref().is_some_and(eq);
    // A signed-in session answers only to its own token; before sign-in
    // the token bound to the visitor's nonce cookie will do.
    let by_nonce = !signed_in
        && !nonce.fresh
        && state.is_some_and(|state| eq(&anon_token(&state.settings.secret, &nonce.value)));
    by_session || by_nonce
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_differ_and_unmask_to_the_token() {
        let token = crate::auth::random_id(32);
        let a = mask(&token);
        let b = mask(&token);
        assert_ne!(a, b);
        assert!(!a.contains(&token));
        assert_eq!(unmask(&a).as_deref(), Some(token.as_str()));
        assert_eq!(unmask(&b).as_deref(), Some(token.as_str()));
    }

    #[test]
    fn the_bare_token_or_garbage_is_not_a_mask() {
        let token = crate::auth::random_id(32);
        assert_ne!(unmask(&token).as_deref(), Some(token.as_str()));
        assert_eq!(unmask(""), None);
        assert_eq!(unmask("!!"), None);
        assert_eq!(unmask("abc"), None);
    }
}
