//! `GET /api/v1/requests`, `/api/v1/customers` and `/api/v1/customers/{id}`:
//! the partner's requests and customers, only ever those whose consumer's
//! consent to the partner stands right now. A consumer who withdraws is
//! gone from every answer from that moment.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Caller, ListQuery, Problem, id_page, rfc3339};
use crate::db;
use crate::models::api_tokens::Scope;
use crate::models::crm::{self, Customer};
use crate::models::engagements::{self, SharedRequest};
use crate::web::AppState;

/// A consumer who shares their name and email with the partner.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactJson {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A request for one of the partner's listings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RequestJson {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    pub customer: ContactJson,
    pub message: String,
    pub created_at: String,
}

/// One page of requests.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RequestPage {
    data: Vec<RequestJson>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    next_cursor: Option<String>,
}

/// A customer's standing with the partner, as the customer list shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScoreJson {
    pub first_activity_at: String,
    pub last_activity_at: String,
    /// Activities with the partner in the 90 days before `computed_at`.
    pub recent_activities: i64,
    /// The customer's mean rating of the partner, one decimal.
    pub satisfaction: Option<f64>,
    /// `champion`, `loyal`, `promising`, `new`, `at_risk` or `lost`.
    pub segment: String,
    pub computed_at: String,
}

/// A customer of the partner.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerJson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub tags: Vec<String>,
    /// Missing until the partner's scores are next computed.
    pub score: Option<ScoreJson>,
}

/// One page of customers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerPage {
    data: Vec<CustomerJson>,
    next_cursor: Option<String>,
}

/// How lists without a status are paged (documents them; `ListQuery`
/// reads them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageQuery {
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
    /// Items per page, 1 to 100 (50 when not given).
    limit: Option<String>,
}

fn request_json(r: SharedRequest) -> RequestJson {
    RequestJson {
        id: r.id,
        listing_id: r.listing_id,
        listing_title: r.listing_title,
        customer: ContactJson {
            id: r.consumer_id,
            name: r.consumer_name,
            email: r.consumer_email,
        },
        message: r.message,
        created_at: rfc3339(r.created_at),
    }
}

fn customer_json(c: Customer) -> CustomerJson {
    CustomerJson {
        id: c.id,
        name: c.name,
        email: c.email,
        tags: c.tags,
        score: c.score.map(|s| ScoreJson {
            first_activity_at: rfc3339(s.first_activity),
            last_activity_at: rfc3339(s.last_activity),
            recent_activities: s.recent_activities,
            satisfaction: s.satisfaction.map(|h| (h as f64 / 10.0).round() / 10.0),
            segment: s.segment.code().to_string(),
            computed_at: rfc3339(s.computed_at),
        }),
    }
}

/// List requests from consumers who share their details with the partner,
/// newest first.
#[utoipa::path(
    get,
    path = "/api/v1/requests",
    operation_id = "requests_list",
    tag = "requests",
    params(PageQuery),
    security(("bearer" = ["requests:read"])),
    responses(
        (status = 200, description = "A page of requests", body = RequestPage),
        (status = 400, description = "A bad cursor or limit", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks requests:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate limit was reached", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn requests(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::RequestsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let (before, limit) = match ListQuery::read(&req).and_then(|q| q.after_and_limit(&req)) {
        Ok(p) => p,
        Err(p) => return caller.problem(&req, p),
    };
    let pid = caller.token.partner_id;
    let rows = db::run(&state.pool, move |conn| {
        Ok(engagements::shared_requests(conn, pid, before, limit + 1)?)
    })
    .await;
    let Ok(rows) = rows else {
        return caller.problem(&req, Problem::unavailable());
    };
    let (rows, next_cursor) = id_page(rows, limit, |r| r.id);
    caller.json(&RequestPage {
        data: rows.into_iter().map(request_json).collect(),
        next_cursor,
    })
}

/// List the partner's customers who share their details, by id.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    operation_id = "customers_list",
    tag = "customers",
    params(PageQuery),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage),
        (status = 400, description = "A bad cursor or limit", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks customers:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate limit was reached", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn customers(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::CustomersRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let (after, limit) = match ListQuery::read(&req).and_then(|q| q.after_and_limit(&req)) {
        Ok(p) => p,
        Err(p) => return caller.problem(&req, p),
    };
    let pid = caller.token.partner_id;
    let rows = db::run(&state.pool, move |conn| {
        crm::ensure_scored(conn, pid)?;
        Ok(crm::by_id_after(
            conn,
            pid,
            &crm::Filter::default(),
            after.unwrap_or(0),
            limit + 1,
        )?)
    })
    .await;
    let Ok(rows) = rows else {
        return caller.problem(&req, Problem::unavailable());
    };
    let (rows, next_cursor) = id_page(rows, limit, |c| c.id);
    caller.json(&CustomerPage {
        data: rows.into_iter().map(customer_json).collect(),
        next_cursor,
    })
}

/// Read one customer, while their consent to the partner stands.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    operation_id = "customers_show",
    tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, description = "The customer", body = CustomerJson),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks customers:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such customer sharing their details", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn customer(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::CustomersRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(id) = id.parse::<i64>() else {
        return caller.problem(&req, Problem::not_found());
    };
    let pid = caller.token.partner_id;
    match db::run(&state.pool, move |conn| Ok(crm::customer(conn, pid, id)?)).await {
        Ok(Some(c)) => caller.json(&customer_json(c)),
        Ok(None) => caller.problem(&req, Problem::not_found()),
        Err(_) => caller.problem(&req, Problem::unavailable()),
    }
}
