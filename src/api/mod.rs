//! The partner API under `/api/v1`: JSON, authenticated by a partner's API
//! token (`Authorization: Bearer agora_pt_…`) and nothing else. No cookie
//! is read or set and no CSRF token is asked. A token acts for its partner
//! only: another partner's records are 404. Errors are RFC 9457 problem
//! documents in the caller's language (`Accept-Language`).

pub mod crm;
pub mod limiter;
pub mod listings;
pub mod support;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::i18n::Lang;
use crate::models::api_tokens::{self, ApiToken, Scope};
use crate::web::AppState;
use crate::web::paging::PageRequest;

/// Registers each route and lists it in `ROUTES` from one table, so that
/// no route can be served without the OpenAPI test knowing of it.
macro_rules! routes {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every API route as (method, path under `/api/v1`).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg.service(
                web::scope("/api/v1")
                    $(.route($path, web::$method().to($handler)))*
                    .default_service(web::to(not_found)),
            );
        }
    };
}

routes! {
    get "/openapi.json" => openapi_json;
    get "/listings" => listings::list;
    post "/listings" => listings::create;
    get "/listings/{id}" => listings::show;
    patch "/listings/{id}" => listings::update;
    post "/listings/{id}/publish" => listings::publish;
    post "/listings/{id}/archive" => listings::archive;
    get "/requests" => crm::requests;
    get "/customers" => crm::customers;
    get "/customers/{id}" => crm::customer;
    get "/reviews" => support::reviews;
    post "/reviews/{id}/reply" => support::reply_to_review;
    get "/tickets" => support::tickets;
    get "/tickets/{number}" => support::ticket;
    post "/tickets/{number}/messages" => support::reply_to_ticket;
}

/// The OpenAPI 3.1 document, made from the handlers' annotations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Agora partner API",
        version = "1",
        description = "Read and change a partner's records with one of its API tokens."
    ),
    paths(
        listings::list,
        listings::show,
        listings::create,
        listings::update,
        listings::publish,
        listings::archive,
        crm::requests,
        crm::customers,
        crm::customer,
        support::reviews,
        support::reply_to_review,
        support::tickets,
        support::ticket,
        support::reply_to_ticket
    ),
    components(schemas(
        ProblemBody,
        FieldError,
        listings::ListingWrite,
        listings::ListingJson,
        listings::RatingJson,
        listings::ListPage,
        crm::ContactJson,
        crm::RequestJson,
        crm::RequestPage,
        crm::ScoreJson,
        crm::CustomerJson,
        crm::CustomerPage,
        support::ReviewJson,
        support::ReviewPage,
        support::RequesterJson,
        support::TicketJson,
        support::MessageJson,
        support::TicketPage,
        support::TicketThread,
        support::ReplyAnswer,
        support::ReplyJson
    )),
    modifiers(&BearerToken),
    tags(
        (name = "listings", description = "The partner's listings"),
        (name = "requests", description = "Requests from consumers who share their details"),
        (name = "customers", description = "Customers who share their details"),
        (name = "reviews", description = "Reviews of the partner's listings"),
        (name = "tickets", description = "Tickets about the partner's listings")
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as JSON, made once.
pub fn openapi_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        use utoipa::OpenApi;
        ApiDoc::openapi().to_pretty_json().unwrap_or_default()
    })
}

/// `GET /api/v1/openapi.json`: public, no token needed.
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(openapi_text())
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    Problem::not_found().response(&req)
}

/// An RFC 9457 problem document.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    key: &'static str,
    detail: Option<String>,
    retry_after: Option<u64>,
    errors: Vec<FieldError>,
}

/// What is wrong with one field of a request body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    /// In the caller's language.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// A link to where the problem is explained.
    #[serde(rename = "type")]
    kind: String,
    /// What went wrong, in the caller's language.
    title: String,
    status: u16,
    /// More about this occurrence, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// The fields that need mending, for a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, key: &'static str) -> Problem {
        Problem {
            status,
            key,
            detail: None,
            retry_after: None,
            errors: Vec::new(),
        }
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "api-not-found")
    }

    pub fn unavailable() -> Problem {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "api-unavailable")
    }

    /// A 400 whose detail is the catalogue's `detail_key`, in the
    /// caller's language.
    pub fn bad_request(req: &HttpRequest, detail_key: &str) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "api-bad-request")
            .detail(caller_lang(req).t(detail_key))
    }

    /// A 422 naming each field that needs mending.
    pub fn invalid(errors: &crate::web::FormErrors) -> Problem {
        let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "api-invalid");
        p.errors = errors
            .items()
            .iter()
            .map(|(field, message)| FieldError {
                field: field.clone(),
                message: message.clone(),
            })
            .collect();
        p
    }

    pub fn detail(mut self, detail: String) -> Problem {
        self.detail = Some(detail);
        self
    }

    /// The problem as a response, its title in the caller's language.
    pub fn response(&self, req: &HttpRequest) -> HttpResponse {
        let lang = caller_lang(req);
        let body = ProblemBody {
            kind: format!("/developers#{}", self.key),
            title: lang.t(self.key),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        };
        let mut res = HttpResponse::build(self.status);
        res.content_type("application/problem+json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_LANGUAGE, lang.code()));
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"agora\""));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

/// The caller's language, from `Accept-Language` only (no cookie is read).
pub fn caller_lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or_default()
}

/// Who calls: a live token, checked against the rate limit.
pub struct Caller {
    pub token: ApiToken,
    pub partner_slug: String,
    pub rate: limiter::Standing,
}

impl Caller {
    /// Reads and checks the bearer token, counts the request against the
    /// token's rate limit, and requires `scope`.
    pub async fn require(
        req: &HttpRequest,
        state: &web::Data<AppState>,
        scope: Scope,
    ) -> Result<Caller, HttpResponse> {
        let secret = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|s| s.trim().to_string());
        let Some(secret) = secret else {
            return Err(Problem::new(StatusCode::UNAUTHORIZED, "api-unauthorized").response(req));
        };
        // An address guessing tokens is stopped before any look-up.
        let address = crate::web::ctx::client_ip(
            req,
            state.settings.trust_forwarded_for,
            state.settings.trusted_proxies,
        );
        if let Some(wait) = state.api_limiter.refused(&address) {
            let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "api-rate-limited");
            p.retry_after = Some(wait);
            return Err(p.response(req));
        }
        let found = db::run(&state.pool, move |conn| {
            let found = api_tokens::authenticate(conn, &secret)?;
            if let Some((t, _)) = &found {
                api_tokens::touch(conn, t)?;
            }
            Ok(found)
        })
        .await;
        let (token, partner_slug) = match found {
            Ok(Some(found)) => found,
            Ok(None) => {
                state.api_limiter.failed(&address);
                return Err(
                    Problem::new(StatusCode::UNAUTHORIZED, "api-unauthorized").response(req)
                );
            }
            Err(_) => {
                return Err(Problem::unavailable().response(req));
            }
        };
        let rate = state
            .api_limiter
            .take(token.id, state.settings.api_rate_per_minute);
        if !rate.allowed {
            let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "api-rate-limited");
            p.retry_after = Some(rate.reset_secs);
            let mut res = p.response(req);
            rate.write_headers(res.headers_mut());
            return Err(res);
        }
        if !token.allows(scope) {
            let mut res = Problem::new(StatusCode::FORBIDDEN, "api-forbidden")
                .detail(
                    caller_lang(req)
                        .t_args("api-forbidden-detail", &[("scope", scope.as_str().into())]),
                )
                .response(req);
            rate.write_headers(res.headers_mut());
            return Err(res);
        }
        Ok(Caller {
            token,
            partner_slug,
            rate,
        })
    }

    /// A JSON answer with the rate limit's headers.
    pub fn json(&self, value: &impl Serialize) -> HttpResponse {
        let mut res = HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(serde_json::to_string(value).unwrap_or_default());
        self.rate.write_headers(res.headers_mut());
        res
    }

    /// A problem, with the rate limit's headers.
    pub fn problem(&self, req: &HttpRequest, p: Problem) -> HttpResponse {
        let mut res = p.response(req);
        self.rate.write_headers(res.headers_mut());
        res
    }
}

impl Caller {
    /// Runs a POST once per `Idempotency-Key`: a retry with the same key
    /// and body gets the first answer again (`Idempotent-Replayed: true`),
    /// the same key with another body a 422, a retry while the first is
    /// still being handled a 409. Without the header, `handle` just runs.
    /// Answers of 500 and above are not kept, so that a retry may succeed:
    /// handlers read what they answer with in the transaction that did the
    /// work, so that such an answer means nothing was done.
    pub async fn once<F, Fut>(
        &self,
        req: &HttpRequest,
        state: &web::Data<AppState>,
        body: &[u8],
        handle: F,
    ) -> HttpResponse
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = HttpResponse>,
    {
        use crate::models::api_tokens::Idempotency;
        let Some(raw) = req.headers().get("idempotency-key") else {
            return handle().await;
        };
        let key = raw
            .to_str()
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        if key.is_empty() || key.len() > 255 {
            return self.problem(req, Problem::bad_request(req, "api-bad-idempotency-key"));
        }
        let hash = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(req.method().as_str());
            h.update(b" ");
            h.update(req.path());
            h.update(b"\n");
            h.update(body);
            hex::encode(h.finalize())
        };
        let token_id = self.token.id;
        let claim = {
            let (key, hash) = (key.clone(), hash.clone());
            db::run(&state.pool, move |conn| {
                db::write_tx_retrying(conn, |conn| {
                    Ok::<_, crate::error::AppError>(api_tokens::claim_key(
                        conn, token_id, &key, &hash,
                    )?)
                })
            })
            .await
        };
        match claim {
            Err(_) => {
                return self.problem(req, Problem::unavailable());
            }
            Ok(Idempotency::Mismatch) => {
                return self.problem(
                    req,
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "api-idempotency-mismatch"),
                );
            }
            Ok(Idempotency::InProgress) => {
                return self.problem(
                    req,
                    Problem::new(StatusCode::CONFLICT, "api-idempotency-in-progress"),
                );
            }
            Ok(Idempotency::Unknown) => {
                return self.problem(
                    req,
                    Problem::new(StatusCode::CONFLICT, "api-idempotency-unknown"),
                );
            }
            Ok(Idempotency::Done(status, location, body)) => {
                let mut res = HttpResponse::build(
                    StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK),
                );
                res.content_type(if status >= 400 {
                    "application/problem+json"
                } else {
                    "application/json"
                })
                .insert_header(("idempotent-replayed", "true"))
                .insert_header((header::CACHE_CONTROL, "no-store"));
                if let Some(l) = location {
                    res.insert_header((header::LOCATION, l));
                }
                let mut res = res.body(body);
                self.rate.write_headers(res.headers_mut());
                return res;
            }
            Ok(Idempotency::New) => {}
        }
        let res = handle().await;
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let (head, body) = res.into_parts();
        let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let kept = {
            let text = text.clone();
            db::run(&state.pool, move |conn| {
                if status.is_server_error() {
                    api_tokens::release_key(conn, token_id, &key)?;
                } else {
                    api_tokens::finish_key(
                        conn,
                        token_id,
                        &key,
                        status.as_u16() as i32,
                        location.as_deref(),
                        &text,
                    )?;
                }
                Ok(())
            })
            .await
        };
        if kept.is_err() {
            tracing::warn!("an idempotency key's answer was not kept");
        }
        head.set_body(actix_web::body::BoxBody::new(text))
    }
}

/// Listings and items per page unless `limit` says otherwise, and the most
/// allowed.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 100;

/// The query of a list: its cursor and limit, and a status where the list
/// has one (other lists ignore it).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only listings with this status: `draft`, `published` or `archived`.
    pub status: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Listings per page, 1 to 100 (50 when not given).
    pub limit: Option<String>,
}

impl ListQuery {
    pub fn read(req: &HttpRequest) -> Result<ListQuery, Problem> {
        serde_urlencoded::from_str(req.query_string())
            .map_err(|_| Problem::bad_request(req, "api-bad-query"))
    }

    /// The limit asked for, 1 to `MAX_LIMIT`.
    pub fn limit(&self, req: &HttpRequest) -> Result<i64, Problem> {
        match self.limit.as_deref() {
            None | Some("") => Ok(DEFAULT_LIMIT),
            Some(l) => l
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| Problem::bad_request(req, "api-bad-limit")),
        }
    }

    /// The id an id-ordered list goes on after (`encode_cursor`).
    pub fn after_id(&self, req: &HttpRequest) -> Result<Option<i64>, Problem> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(None),
            Some(c) => decode_cursor(c)
                .map(Some)
                .ok_or_else(|| Problem::bad_request(req, "api-bad-cursor")),
        }
    }

    /// `after_id` and `limit`, in that order.
    pub fn after_and_limit(&self, req: &HttpRequest) -> Result<(Option<i64>, i64), Problem> {
        Ok((self.after_id(req)?, self.limit(req)?))
    }

    /// The page of a list the pages share with the site (seek cursors of
    /// `web::paging`).
    pub fn page_request(&self, req: &HttpRequest) -> Result<PageRequest, Problem> {
        let limit = self.limit(req)?;
        PageRequest::for_api(self.cursor.as_deref(), limit as usize)
            .ok_or_else(|| Problem::bad_request(req, "api-bad-cursor"))
    }
}

/// Cuts the extra row an id-ordered list fetched (`limit + 1`) and gives
/// the next page's cursor when there is a next page.
pub fn id_page<T>(
    mut rows: Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> i64,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|r| encode_cursor(id(r))))
        .flatten();
    (rows, next)
}

/// A time as RFC 3339, in UTC.
pub fn rfc3339(t: time::PrimitiveDateTime) -> String {
    t.assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Cursors are opaque to callers: the last id shown, in base64.
pub fn encode_cursor(id: i64) -> String {
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!("id:{id}"),
    )
}

pub fn decode_cursor(s: &str) -> Option<i64> {
    let raw = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("id:")?
        .parse()
        .ok()
        .filter(|id: &i64| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_junk_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not a cursor"), None);
        assert_eq!(decode_cursor(&encode_cursor(-1)), None);
    }
}
