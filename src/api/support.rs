//! Reviews and tickets about the partner's listings. A consumer's name and
//! email show only while their consent to the partner stands; a ticket's
//! internal notes never show.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Caller, ListQuery, Problem, rfc3339};
use crate::db::{self, write_tx};
use crate::error::AppError;
use crate::models::api_tokens::Scope;
use crate::models::engagements::{self, Review};
use crate::models::tickets::{self, Contact, MessageView, Ticket, Writer};
use crate::web::AppState;

/// A review of one of the partner's listings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReviewJson {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    /// 1 to 5.
    pub rating: i32,
    pub body: String,
    /// The author's name, while their consent to the partner stands.
    pub author_name: Option<String>,
    /// Hidden by the platform's moderators (and not shown in public).
    pub hidden: bool,
    pub reply: Option<String>,
    pub reply_at: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    data: Vec<ReviewJson>,
    next_cursor: Option<String>,
}

/// A consumer's name and email address, where consent stands.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RequesterJson {
    pub name: String,
    pub email: String,
}

/// A ticket about one of the partner's listings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketJson {
    pub number: i64,
    pub subject: String,
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    pub priority: String,
    pub listing_id: Option<i64>,
    /// Missing unless the requester's consent to the partner stands.
    pub requester: Option<RequesterJson>,
    pub created_at: String,
    pub last_activity_at: String,
}

/// A public message of a ticket's thread.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageJson {
    pub id: i64,
    /// `requester`, `partner` or `staff`.
    pub author_kind: String,
    /// "A consumer" unless the requester's consent to the partner stands.
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketPage {
    data: Vec<TicketJson>,
    next_cursor: Option<String>,
}

/// A ticket with its public thread.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketThread {
    #[serde(flatten)]
    ticket: TicketJson,
    messages: Vec<MessageJson>,
}

/// The answer to a reply posted to a ticket: the ticket's new standing and
/// the message as the thread shows it (no consumer's details, so that the
/// answer kept for an idempotent retry holds none).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplyAnswer {
    pub number: i64,
    pub status: String,
    pub message: MessageJson,
}

/// A reply: a review's answer or a ticket message.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReplyJson {
    body: String,
}

/// A reply's text, checked as the partner's forms check it.
fn reply_text(req: &HttpRequest, body: &[u8], max: usize) -> Result<String, Problem> {
    let lang = super::caller_lang(req);
    let parsed: ReplyJson =
        serde_json::from_slice(body).map_err(|_| Problem::bad_request(req, "api-bad-reply"))?;
    crate::domain::required_text(&parsed.body, max, "error-required", "error-too-long").map_err(
        |key| {
            let mut e = crate::web::FormErrors::new();
            e.add("body", lang.t(key));
            Problem::invalid(&e)
        },
    )
}

fn review_json((r, author, title): (Review, Option<String>, String)) -> ReviewJson {
    ReviewJson {
        id: r.id,
        listing_id: r.listing_id,
        listing_title: title,
        rating: r.rating,
        body: r.body,
        author_name: author,
        hidden: r.hidden_at.is_some(),
        reply: r.reply_body,
        reply_at: r.reply_at.map(rfc3339),
        created_at: rfc3339(r.created_at),
    }
}

fn ticket_json(t: &Ticket, requester: Option<Contact>) -> TicketJson {
    TicketJson {
        number: t.number,
        subject: t.subject.clone(),
        status: t.status.clone(),
        priority: t.priority.clone(),
        listing_id: t.listing_id,
        requester: requester.map(|(name, email)| RequesterJson { name, email }),
        created_at: rfc3339(t.created_at),
        last_activity_at: rfc3339(t.last_activity_at),
    }
}

fn message_json(m: MessageView) -> MessageJson {
    MessageJson {
        id: m.id,
        author_kind: m.author_kind,
        author_name: m.partner_name.unwrap_or(m.author_name),
        body: m.body,
        created_at: rfc3339(m.created_at),
    }
}

/// List reviews of the partner's listings, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    operation_id = "reviews_list",
    tag = "reviews",
    params(super::crm::PageQuery),
    security(("bearer" = ["reviews:read"])),
    responses(
        (status = 200, description = "A page of reviews", body = ReviewPage),
        (status = 400, description = "A bad cursor or limit", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks reviews:read", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reviews(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ReviewsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let page = match ListQuery::read(&req).and_then(|q| q.page_request(&req)) {
        Ok(p) => p,
        Err(p) => return caller.problem(&req, p),
    };
    let pid = caller.token.partner_id;
    match db::run(&state.pool, move |conn| {
        Ok(engagements::reviews_for_partner(conn, pid, &page)?)
    })
    .await
    {
        Ok(page) => {
            let next_cursor = page.next_cursor().map(str::to_string);
            caller.json(&ReviewPage {
                data: page.items.into_iter().map(review_json).collect(),
                next_cursor,
            })
        }
        Err(_) => caller.problem(&req, Problem::unavailable()),
    }
}

/// Reply to a review (a new reply replaces the one before).
#[utoipa::path(
    post,
    path = "/api/v1/reviews/{id}/reply",
    operation_id = "reviews_reply",
    tag = "reviews",
    request_body = ReplyJson,
    params(("id" = i64, Path, description = "The review's id")),
    security(("bearer" = ["reviews:write"])),
    responses(
        (status = 200, description = "The review with its reply", body = ReviewJson),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks reviews:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such review of this partner's listings", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The reply needs mending", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reply_to_review(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::ReviewsWrite).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(id) = id.parse::<i64>() else {
        return caller.problem(&req, Problem::not_found());
    };
    caller
        .once(&req, &state, &body, || async {
            let text = match reply_text(&req, &body, 2000) {
                Ok(t) => t,
                Err(p) => return caller.problem(&req, p),
            };
            let pid = caller.token.partner_id;
            let links = crate::support::Links::of(&state.settings);
            let saved = db::run(&state.pool, move |conn| {
                write_tx(conn, |conn| {
                    match engagements::set_reply(conn, pid, id, &text)? {
                        None => return Ok(None),
                        Some(true) => crate::mail::notify::review_replied(conn, &links, pid, id)?,
                        Some(false) => {}
                    }
                    Ok::<_, AppError>(engagements::partner_review(conn, pid, id)?)
                })
            })
            .await;
            state.mail_wakeup.notify_one();
            match saved {
                // The author's name is left out of this answer: it is kept
                // for a retry, and consent may be withdrawn meanwhile.
                Ok(Some((r, _, title))) => caller.json(&review_json((r, None, title))),
                Ok(None) => caller.problem(&req, Problem::not_found()),
                Err(_) => caller.problem(&req, Problem::unavailable()),
            }
        })
        .await
}

/// List tickets about the partner's listings, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/tickets",
    operation_id = "tickets_list",
    tag = "tickets",
    params(super::crm::PageQuery),
    security(("bearer" = ["tickets:read"])),
    responses(
        (status = 200, description = "A page of tickets", body = TicketPage),
        (status = 400, description = "A bad cursor or limit", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tickets:read", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn tickets(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::TicketsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let page = match ListQuery::read(&req).and_then(|q| q.page_request(&req)) {
        Ok(p) => p,
        Err(p) => return caller.problem(&req, p),
    };
    let pid = caller.token.partner_id;
    match db::run(&state.pool, move |conn| {
        Ok(tickets::partner_rows(conn, pid, &page)?)
    })
    .await
    {
        Ok(page) => {
            let next_cursor = page.next_cursor().map(str::to_string);
            caller.json(&TicketPage {
                data: page
                    .items
                    .into_iter()
                    .map(|(t, who)| ticket_json(&t, who))
                    .collect(),
                next_cursor,
            })
        }
        Err(_) => caller.problem(&req, Problem::unavailable()),
    }
}

/// The partner's ticket with this number, its requester where consent
/// stands and its public thread.
async fn thread(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: &Caller,
    number: i64,
) -> Result<Option<TicketThread>, ()> {
    let pid = caller.token.partner_id;
    let anonymous = super::caller_lang(req).t("consent-a-consumer");
    db::run(&state.pool, move |conn| {
        let Some(t) = tickets::by_number(conn, number)?.filter(|t| t.partner_id == Some(pid))
        else {
            return Ok(None);
        };
        let requester = tickets::requester_for_partner(conn, pid, t.requester_id)?;
        let messages = tickets::messages_for_partner(conn, &t, pid, &anonymous)?;
        Ok(Some(TicketThread {
            ticket: ticket_json(&t, requester),
            messages: messages
                .into_iter()
                .filter(|m| !m.internal)
                .map(message_json)
                .collect(),
        }))
    })
    .await
    .map_err(|_| ())
}

/// Read a ticket and its public messages (internal notes never show).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{number}",
    operation_id = "tickets_show",
    tag = "tickets",
    params(("number" = i64, Path, description = "The ticket's number")),
    security(("bearer" = ["tickets:read"])),
    responses(
        (status = 200, description = "The ticket and its public thread", body = TicketThread),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tickets:read", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket about this partner", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::TicketsRead).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(number) = number.parse::<i64>() else {
        return caller.problem(&req, Problem::not_found());
    };
    match thread(&req, &state, &caller, number).await {
        Ok(Some(t)) => caller.json(&t),
        Ok(None) => caller.problem(&req, Problem::not_found()),
        Err(()) => caller.problem(&req, Problem::unavailable()),
    }
}

/// Reply to a ticket as the partner (the requester is emailed, as for a
/// reply on the partner's page). The token's maker is recorded as the
/// author; the thread shows the partner's name.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{number}/messages",
    operation_id = "tickets_reply",
    tag = "tickets",
    request_body = ReplyJson,
    params(
        ("number" = i64, Path, description = "The ticket's number"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried reply post once")
    ),
    security(("bearer" = ["tickets:write"])),
    responses(
        (status = 201, description = "The reply as the thread shows it", body = ReplyAnswer),
        (status = 401, description = "No live token", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tickets:write", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket about this partner", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed", body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The reply needs mending", body = super::ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reply_to_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let caller = match Caller::require(&req, &state, Scope::TicketsWrite).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(number) = number.parse::<i64>() else {
        return caller.problem(&req, Problem::not_found());
    };
    caller
        .once(&req, &state, &body, || async {
            let text = match reply_text(&req, &body, 10000) {
                Ok(t) => t,
                Err(p) => return caller.problem(&req, p),
            };
            let Some(author) = caller.token.created_by else {
                // Its maker's account is gone: no one to write as.
                return caller.problem(
                    &req,
                    Problem::new(StatusCode::FORBIDDEN, "api-forbidden")
                        .detail(super::caller_lang(&req).t("api-no-author")),
                );
            };
            let pid = caller.token.partner_id;
            let links = crate::support::Links::of(&state.settings);
            let sent = db::run(&state.pool, move |conn| {
                write_tx(conn, |conn| {
                    let Some(t) =
                        tickets::by_number(conn, number)?.filter(|t| t.partner_id == Some(pid))
                    else {
                        return Ok(None);
                    };
                    let partner =
                        crate::models::partners::by_id(conn, pid)?.ok_or(AppError::NotFound)?;
                    let t = tickets::locked(conn, t.id)?;
                    let cfg = tickets::sla_config(conn)?;
                    let writer = Writer::Partner(author, pid);
                    let Some(after) = crate::support::reply(
                        conn,
                        &links,
                        &t,
                        &writer,
                        &partner.name,
                        &text,
                        false,
                        &cfg,
                        &[],
                    )?
                    else {
                        return Ok(Some(None));
                    };
                    // What the answer says is read in the same transaction.
                    let (id, at): (i64, time::PrimitiveDateTime) = {
                        use crate::schema::ticket_messages as m;
                        m::table
                            .filter(m::ticket_id.eq(t.id))
                            .filter(m::author_kind.eq("partner"))
                            .order(m::id.desc())
                            .select((m::id, m::created_at))
                            .first(conn)?
                    };
                    Ok::<_, AppError>(Some(Some(ReplyAnswer {
                        number: after.number,
                        status: after.status,
                        message: MessageJson {
                            id,
                            author_kind: "partner".into(),
                            author_name: partner.name.clone(),
                            body: text.clone(),
                            created_at: rfc3339(at),
                        },
                    })))
                })
            })
            .await;
            match sent {
                Ok(None) => caller.problem(&req, Problem::not_found()),
                Ok(Some(None)) => caller.problem(
                    &req,
                    Problem::new(StatusCode::CONFLICT, "api-ticket-closed"),
                ),
                Ok(Some(Some(answer))) => {
                    state.mail_wakeup.notify_one();
                    let mut res = caller.json(&answer);
                    *res.status_mut() = StatusCode::CREATED;
                    res
                }
                Err(_) => caller.problem(&req, Problem::unavailable()),
            }
        })
        .await
}
