//! `GET /api/v1/listings` and `GET /api/v1/listings/{id}`: the token's
//! partner's listings, Markdown as written and the HTML it renders to.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{Caller, ListQuery, Problem, id_page, rfc3339};
use crate::db;
use crate::models::api_tokens::Scope;
use crate::models::listings::{self, Listing};
use crate::routes::partner::listings::ListingForm;
use crate::web::AppState;

/// A listing of the token's partner.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListingJson {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub price_text: String,
    pub status: String,
    pub category_id: Option<i64>,
    pub body_markdown: String,
    pub body_html: String,
    /// The public page, while the listing is published.
    pub url: Option<String>,
    pub rating: RatingJson,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RatingJson {
    pub count: i64,
    /// The average of the visible reviews, one decimal (none without any).
    pub average: Option<f64>,
}

fn to_json(state: &AppState, l: &Listing) -> ListingJson {
    let rating = l.rating();
    ListingJson {
        id: l.id,
        slug: l.slug.clone(),
        title: l.title.clone(),
        summary: l.summary.clone(),
        price_text: l.price_text.clone(),
        status: l.status.clone(),
        category_id: l.category_id,
        body_markdown: l.body.clone(),
        body_html: state.listing_html(l).to_string(),
        url: (l.status == listings::PUBLISHED)
            .then(|| format!("{}/listings/{}", state.settings.base_url, l.slug)),
        rating: RatingJson {
            count: rating.count,
            average: rating
                .has_any()
                .then(|| (rating.hundredths as f64 / 10.0).round() / 10.0),
        },
        created_at: rfc3339(l.created_at),
        updated_at: rfc3339(l.updated_at),
        published_at: l.published_at.map(rfc3339),
    }
}

/// One page of listings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListPage {
    data: Vec<ListingJson>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    next_cursor: Option<String>,
}

/// List the partner's listings, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/listings",
    operation_id = "listings_list",
    tag = "listings",
    params(super::ListQuery),
    security(("bearer" = ["listings:read"])),
    responses(
        (status = 200, description = "A page of listings", body = ListPage),
        (status = 400, description = "A bad status, cursor or limit", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate limit was reached", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ListingsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let q = match ListQuery::read(&req) {
        Ok(q) => q,
        Err(p) => return caller.problem(&req, p),
    };
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s @ (listings::DRAFT | listings::PUBLISHED | listings::ARCHIVED)) => {
            Some(s.to_string())
        }
        Some(_) => return caller.problem(&req, Problem::bad_request(&req, "api-bad-status")),
    };
    let (after, limit) = match q.after_and_limit(&req) {
        Ok(p) => p,
        Err(p) => return caller.problem(&req, p),
    };
    let pid = caller.token.partner_id;
    let rows = db::run(&state.pool, move |conn| {
        Ok(listings::of_partner_newest_first(
            conn,
            pid,
            status.as_deref(),
            after,
            limit + 1,
        )?)
    })
    .await;
    let Ok(rows) = rows else {
        return caller.problem(&req, Problem::unavailable());
    };
    let (rows, next_cursor) = id_page(rows, limit, |l| l.id);
    caller.json(&ListPage {
        data: rows.iter().map(|l| to_json(&state, l)).collect(),
        next_cursor,
    })
}

/// Read one of the partner's listings.
#[utoipa::path(
    get,
    path = "/api/v1/listings/{id}",
    operation_id = "listings_show",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing's id")),
    security(("bearer" = ["listings:read"])),
    responses(
        (status = 200, description = "The listing", body = ListingJson),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of this partner", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ListingsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    match own(&state, &caller, &id).await {
        Ok(l) => caller.json(&to_json(&state, &l)),
        Err(p) => caller.problem(&req, p),
    }
}

/// The fields a listing is created or changed with. On a change, a field
/// left out keeps its value; `category_id: null` clears the category.
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ListingWrite {
    title: Option<String>,
    /// The address after `/listings/`; made from the title when left out.
    slug: Option<String>,
    summary: Option<String>,
    /// Markdown.
    body_markdown: Option<String>,
    price_text: Option<String>,
    category_id: Option<i64>,
}

/// Reads a JSON body over the fields of `form`, or says what is wrong.
fn read_body(body: &[u8], form: &mut ListingForm, lang: crate::i18n::Lang) -> Result<(), Problem> {
    let bad =
        || Problem::new(StatusCode::BAD_REQUEST, "api-bad-request").detail(lang.t("api-bad-json"));
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| bad())?;
    let object = value.as_object().ok_or_else(bad)?;
    for (name, v) in object {
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string).ok_or_else(bad);
        match name.as_str() {
            "title" => form.title = text(v)?,
            "slug" => form.slug = text(v)?,
            "summary" => form.summary = text(v)?,
            "body_markdown" => form.body = text(v)?,
            "price_text" => form.price_text = text(v)?,
            "category_id" => {
                form.category_id = match v {
                    serde_json::Value::Null => String::new(),
                    v => v.as_i64().ok_or_else(bad)?.to_string(),
                }
            }
            _ => {
                return Err(Problem::new(StatusCode::BAD_REQUEST, "api-bad-request")
                    .detail(lang.t_args("api-unknown-field", &[("field", name.as_str().into())])));
            }
        }
    }
    Ok(())
}

/// Checks and saves `form` as a new listing or over `existing`; answers
/// with the listing, or the problem.
async fn save(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: &Caller,
    existing: Option<i64>,
    form: ListingForm,
) -> HttpResponse {
    let lang = super::caller_lang(req);
    let pid = caller.token.partner_id;
    let saved = db::run(&state.pool, move |conn| {
        let categories = listings::categories(conn)?;
        let mut errors = crate::web::FormErrors::new();
        let valid =
            crate::routes::partner::listings::validate(lang, &form, &categories, &mut errors);
        let Some(v) = valid.filter(|_| errors.is_empty()) else {
            return Ok(Err(errors));
        };
        match crate::routes::partner::listings::store(conn, pid, existing, &v)? {
            Ok(listing) => Ok(Ok(Some(listing))),
            Err(slug) => {
                let key = if slug.is_empty() {
                    "error-required"
                } else {
                    "error-slug-taken"
                };
                errors.add("slug", lang.t(key));
                Ok(Err(errors))
            }
        }
    })
    .await;
    match saved {
        Ok(Ok(Some(l))) => {
            let mut res = caller.json(&to_json(state, &l));
            if existing.is_none() {
                *res.status_mut() = StatusCode::CREATED;
                if let Ok(v) = format!("/api/v1/listings/{}", l.id).parse() {
                    res.headers_mut()
                        .insert(actix_web::http::header::LOCATION, v);
                }
            }
            res
        }
        Ok(Ok(None)) => caller.problem(req, Problem::not_found()),
        Ok(Err(errors)) => {
            let mut e = crate::web::FormErrors::new();
            for (field, message) in errors.items() {
                // The API calls the body `body_markdown`.
                let field = if field == "body" {
                    "body_markdown"
                } else {
                    field
                };
                e.add(field, message.clone());
            }
            caller.problem(req, Problem::invalid(&e))
        }
        Err(_) => caller.problem(req, Problem::unavailable()),
    }
}

/// Create a listing (a draft until it is published).
#[utoipa::path(
    post,
    path = "/api/v1/listings",
    operation_id = "listings_create",
    tag = "listings",
    request_body = ListingWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create make one listing")),
    security(("bearer" = ["listings:write"])),
    responses(
        (status = 201, description = "The new listing", body = ListingJson),
        (status = 400, description = "The body is not a JSON object of the listing's fields", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Fields need mending (see errors)", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ListingsWrite).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    caller
        .once(&req, &state, &body, || async {
            let mut form = ListingForm::default();
            if let Err(p) = read_body(&body, &mut form, super::caller_lang(&req)) {
                return caller.problem(&req, p);
            }
            save(&req, &state, &caller, None, form).await
        })
        .await
}

/// The token's partner's listing with this id, as a path gives it;
/// another partner's listing is as missing as one that never was.
async fn own(state: &web::Data<AppState>, caller: &Caller, id: &str) -> Result<Listing, Problem> {
    let id = id.parse::<i64>().map_err(|_| Problem::not_found())?;
    let pid = caller.token.partner_id;
    db::run(&state.pool, move |conn| {
        Ok(listings::by_id(conn, id)?.filter(|l| l.partner_id == pid))
    })
    .await
    .map_err(|_| Problem::unavailable())?
    .ok_or_else(Problem::not_found)
}

/// Change a listing's fields; those left out keep their values.
#[utoipa::path(
    patch,
    path = "/api/v1/listings/{id}",
    operation_id = "listings_update",
    tag = "listings",
    request_body = ListingWrite,
    params(("id" = i64, Path, description = "The listing's id")),
    security(("bearer" = ["listings:write"])),
    responses(
        (status = 200, description = "The listing as changed", body = ListingJson),
        (status = 400, description = "The body is not a JSON object of the listing's fields", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of this partner", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Fields need mending (see errors)", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ListingsWrite).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let listing = match own(&state, &caller, &id).await {
        Ok(l) => l,
        Err(p) => return caller.problem(&req, p),
    };
    let mut form = ListingForm::from_listing(&listing);
    if let Err(p) = read_body(&body, &mut form, super::caller_lang(&req)) {
        return caller.problem(&req, p);
    }
    save(&req, &state, &caller, Some(listing.id), form).await
}

/// Moves a listing to `to` (published or archived).
async fn move_to(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    to: &'static str,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ListingsWrite).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let listing = match own(&state, &caller, &id).await {
        Ok(l) => l,
        Err(p) => return caller.problem(&req, p),
    };
    caller
        .once(&req, &state, &[], || async {
            let moved = db::run(&state.pool, move |conn| {
                db::write_tx(conn, |conn| {
                    let moved = listings::set_status(conn, &listing, to)?;
                    Ok::<_, crate::error::AppError>((moved, listings::by_id(conn, listing.id)?))
                })
            })
            .await;
            moved_answer(&req, &state, &caller, moved)
        })
        .await
}

fn moved_answer(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: &Caller,
    moved: Result<(bool, Option<Listing>), crate::error::AppError>,
) -> HttpResponse {
    match moved {
        Ok((true, Some(l))) => caller.json(&to_json(state, &l)),
        Ok((false, _)) => caller.problem(
            req,
            Problem::new(StatusCode::CONFLICT, "api-status-refused"),
        ),
        Ok((true, None)) => caller.problem(req, Problem::not_found()),
        Err(_) => caller.problem(req, Problem::unavailable()),
    }
}

/// Publish a listing: it shows in the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/listings/{id}/publish",
    operation_id = "listings_publish",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing's id")),
    security(("bearer" = ["listings:write"])),
    responses(
        (status = 200, description = "The listing, published", body = ListingJson),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of this partner", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "It cannot be published from where it stands", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    move_to(req, state, id, listings::PUBLISHED).await
}

/// Archive a listing: it leaves the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/listings/{id}/archive",
    operation_id = "listings_archive",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing's id")),
    security(("bearer" = ["listings:write"])),
    responses(
        (status = 200, description = "The listing, archived", body = ListingJson),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks listings:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of this partner", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "It cannot be archived from where it stands", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn archive(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    move_to(req, state, id, listings::ARCHIVED).await
}
