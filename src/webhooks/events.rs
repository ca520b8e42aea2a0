//! The events themselves: each is written when its change happens, in the
//! change's transaction, and only for partners with an endpoint that
//! chose it. What they say of a consumer follows the consent rule of the
//! partner's pages: a name, an email address or a request's message only
//! while the consumer's consent to the partner stands; and when it is
//! withdrawn, every stored delivery that named them is rewritten without
//! it (`models::webhooks::redact_customer`).
//!
//! The body is the Standard Webhooks envelope:
//! `{"type": "...", "timestamp": "...", "data": {...}}`.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use super::EventType;
use crate::api::rfc3339;
use crate::db::AnyConnection;
use crate::models::consents;
use crate::models::listings::Listing;
use crate::models::tickets::Ticket;
use crate::models::webhooks::{self, QueuedEvent};
use crate::schema::{engagements, listings, partners, reviews, ticket_messages, users};

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: T,
}

/// A consumer who shares their details with the partner.
#[derive(Serialize, Clone)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A consumer named by id only (`consent.withdrawn`).
#[derive(Serialize, Clone)]
pub struct CustomerId {
    pub id: i64,
}

#[derive(Serialize, Clone)]
pub struct RequestData {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    /// `null` unless the consumer's consent to the partner stands.
    pub customer: Option<Customer>,
    /// `null` unless the consumer's consent to the partner stands.
    pub message: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Clone)]
pub struct ConsentGivenData {
    pub customer: Customer,
    pub given_at: String,
}

#[derive(Serialize, Clone)]
pub struct ConsentRedacted {
    pub customer: CustomerId,
}

#[derive(Serialize, Clone)]
pub struct ConsentWithdrawnData {
    pub customer: CustomerId,
    pub withdrawn_at: String,
}

#[derive(Serialize, Clone)]
pub struct ReviewData {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    pub rating: i32,
    pub body: String,
    /// `null` unless the author's consent to the partner stands.
    pub author_name: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Clone)]
pub struct Requester {
    pub name: String,
    pub email: String,
}

#[derive(Serialize, Clone)]
pub struct TicketData {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub listing_id: Option<i64>,
    /// `null` unless the requester's consent to the partner stands.
    pub requester: Option<Requester>,
    /// The requester's first message.
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, Clone)]
pub struct MessageData {
    pub id: i64,
    /// `requester`, `partner` or `staff`.
    pub author_kind: String,
    /// The partner's or the agent's name; the requester's only while their
    /// consent to the partner stands, `null` otherwise.
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, Clone)]
pub struct TicketMessageData {
    pub ticket_number: i64,
    pub message: MessageData,
}

#[derive(Serialize, Clone)]
pub struct TicketStatusData {
    pub number: i64,
    pub previous_status: String,
    pub status: String,
    pub changed_at: String,
}

#[derive(Serialize, Clone)]
pub struct ListingStatusData {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub previous_status: String,
    pub status: String,
    pub changed_at: String,
}

/// The body posted for an event.
pub fn body<T: Serialize>(kind: EventType, at: PrimitiveDateTime, data: &T) -> String {
    serde_json::to_string(&Envelope {
        kind: kind.as_str(),
        timestamp: rfc3339(at),
        data,
    })
    .unwrap_or_default()
}

/// An event ready to queue: its data, and when it names a consumer, who,
/// with the data to keep if their consent is withdrawn.
struct Written<T: Serialize, R: Serialize> {
    data: T,
    personal: Option<(i64, R)>,
}

fn plain<T: Serialize>(data: T) -> Written<T, ()> {
    Written {
        data,
        personal: None,
    }
}

/// Writes the event for the partner's endpoints that chose it; `write` is
/// only called when there is one.
fn emit<T: Serialize, R: Serialize>(
    conn: &mut AnyConnection,
    partner_id: i64,
    kind: EventType,
    write: impl FnOnce(&mut AnyConnection) -> QueryResult<Option<Written<T, R>>>,
) -> QueryResult<()> {
    let endpoints = webhooks::subscribed(conn, partner_id, kind)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some(w) = write(conn)? else {
        return Ok(());
    };
    let at = crate::models::now();
    let (customer_id, redacted) = match &w.personal {
        Some((id, r)) => (Some(*id), Some(body(kind, at, r))),
        None => (None, None),
    };
    let ev = QueuedEvent {
        event_id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
        kind,
        payload: body(kind, at, &w.data),
        redacted,
        customer_id,
    };
    webhooks::enqueue(conn, &endpoints, partner_id, &ev)
}

/// The consumer's name and email while their consent to the partner
/// stands.
fn shared_contact(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<Option<(String, String)>> {
    if !consents::stands(conn, partner_id, consumer_id)? {
        return Ok(None);
    }
    users::table
        .find(consumer_id)
        .select((users::display_name, users::email))
        .first(conn)
        .optional()
}

/// `request.created`, after the request (and any consent given with it)
/// is written.
pub fn request_created(
    conn: &mut AnyConnection,
    partner_id: i64,
    request_id: i64,
) -> QueryResult<()> {
    emit(conn, partner_id, EventType::RequestCreated, |conn| {
        let Some((id, listing_id, consumer_id, message, created_at, title)) = engagements::table
            .inner_join(listings::table)
            .filter(engagements::id.eq(request_id))
            .select((
                engagements::id,
                engagements::listing_id,
                engagements::consumer_id,
                engagements::message,
                engagements::created_at,
                listings::title,
            ))
            .first::<(i64, i64, i64, String, PrimitiveDateTime, String)>(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let without = RequestData {
            id,
            listing_id,
            listing_title: title,
            customer: None,
            message: None,
            created_at: rfc3339(created_at),
        };
        Ok(Some(match shared_contact(conn, partner_id, consumer_id)? {
            Some((name, email)) => Written {
                data: RequestData {
                    customer: Some(Customer {
                        id: consumer_id,
                        name,
                        email,
                    }),
                    message: Some(message),
                    ..without.clone()
                },
                personal: Some((consumer_id, without)),
            },
            None => Written {
                data: without,
                personal: None,
            },
        }))
    })
}

/// `consent.given`: the consumer now shares their details.
pub fn consent_given(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<()> {
    emit(conn, partner_id, EventType::ConsentGiven, |conn| {
        let Some((name, email)) = users::table
            .find(consumer_id)
            .select((users::display_name, users::email))
            .first::<(String, String)>(conn)
            .optional()?
        else {
            return Ok(None);
        };
        Ok(Some(Written {
            data: ConsentGivenData {
                customer: Customer {
                    id: consumer_id,
                    name,
                    email,
                },
                given_at: rfc3339(crate::models::now()),
            },
            personal: Some((
                consumer_id,
                ConsentRedacted {
                    customer: CustomerId { id: consumer_id },
                },
            )),
        }))
    })
}

/// `consent.withdrawn`: only the consumer's id, so the partner can delete
/// what it holds. Every stored delivery that named them loses their
/// details first.
pub fn consent_withdrawn(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<()> {
    webhooks::redact_customer(conn, partner_id, consumer_id)?;
    emit(conn, partner_id, EventType::ConsentWithdrawn, |_| {
        Ok(Some(plain(ConsentWithdrawnData {
            customer: CustomerId { id: consumer_id },
            withdrawn_at: rfc3339(crate::models::now()),
        })))
    })
}

/// `review.created`, for a consumer's first review of a listing.
pub fn review_created(
    conn: &mut AnyConnection,
    partner_id: i64,
    review_id: i64,
) -> QueryResult<()> {
    emit(conn, partner_id, EventType::ReviewCreated, |conn| {
        let Some((id, listing_id, consumer_id, rating, text, created_at, title)) = reviews::table
            .inner_join(listings::table)
            .filter(reviews::id.eq(review_id))
            .select((
                reviews::id,
                reviews::listing_id,
                reviews::consumer_id,
                reviews::rating,
                reviews::body,
                reviews::created_at,
                listings::title,
            ))
            .first::<(i64, i64, i64, i32, String, PrimitiveDateTime, String)>(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let without = ReviewData {
            id,
            listing_id,
            listing_title: title,
            rating,
            body: text,
            author_name: None,
            created_at: rfc3339(created_at),
        };
        Ok(Some(match shared_contact(conn, partner_id, consumer_id)? {
            Some((name, _)) => Written {
                data: ReviewData {
                    author_name: Some(name),
                    ..without.clone()
                },
                personal: Some((consumer_id, without)),
            },
            None => Written {
                data: without,
                personal: None,
            },
        }))
    })
}

/// `ticket.created`, for a ticket about one of the partner's listings.
pub fn ticket_created(
    conn: &mut AnyConnection,
    t: &Ticket,
    first_message: &str,
) -> QueryResult<()> {
    let Some(partner_id) = t.partner_id else {
        return Ok(());
    };
    emit(conn, partner_id, EventType::TicketCreated, |conn| {
        let without = TicketData {
            number: t.number,
            subject: t.subject.clone(),
            status: t.status.clone(),
            priority: t.priority.clone(),
            listing_id: t.listing_id,
            requester: None,
            body: first_message.to_string(),
            created_at: rfc3339(t.created_at),
        };
        Ok(Some(
            match shared_contact(conn, partner_id, t.requester_id)? {
                Some((name, email)) => Written {
                    data: TicketData {
                        requester: Some(Requester { name, email }),
                        ..without.clone()
                    },
                    personal: Some((t.requester_id, without)),
                },
                None => Written {
                    data: without,
                    personal: None,
                },
            },
        ))
    })
}

/// `ticket.message.created`, for a public message (never an internal
/// note) on a ticket about one of the partner's listings.
pub fn ticket_message_created(
    conn: &mut AnyConnection,
    t: &Ticket,
    message_id: i64,
) -> QueryResult<()> {
    let Some(partner_id) = t.partner_id else {
        return Ok(());
    };
    emit(conn, partner_id, EventType::TicketMessageCreated, |conn| {
        let Some((id, author_id, kind, body, internal, created_at, author, partner)) =
            ticket_messages::table
                .left_join(users::table.on(ticket_messages::author_id.eq(users::id.nullable())))
                .left_join(
                    partners::table.on(ticket_messages::partner_id.eq(partners::id.nullable())),
                )
                .filter(ticket_messages::id.eq(message_id))
                .select((
                    ticket_messages::id,
                    ticket_messages::author_id,
                    ticket_messages::author_kind,
                    ticket_messages::body,
                    ticket_messages::internal,
                    ticket_messages::created_at,
                    users::display_name.nullable(),
                    partners::name.nullable(),
                ))
                .first::<(
                    i64,
                    Option<i64>,
                    String,
                    String,
                    bool,
                    PrimitiveDateTime,
                    Option<String>,
                    Option<String>,
                )>(conn)
                .optional()?
        else {
            return Ok(None);
        };
        if internal {
            return Ok(None);
        }
        let by_requester = author_id == Some(t.requester_id);
        let without = TicketMessageData {
            ticket_number: t.number,
            message: MessageData {
                id,
                author_kind: kind,
                author_name: if by_requester {
                    None
                } else {
                    partner.or(author)
                },
                body,
                created_at: rfc3339(created_at),
            },
        };
        if !by_requester {
            return Ok(Some(Written {
                data: without,
                personal: None,
            }));
        }
        Ok(Some(
            match shared_contact(conn, partner_id, t.requester_id)? {
                Some((name, _)) => {
                    let mut data = without.clone();
                    data.message.author_name = Some(name);
                    Written {
                        data,
                        personal: Some((t.requester_id, without)),
                    }
                }
                None => Written {
                    data: without,
                    personal: None,
                },
            },
        ))
    })
}

/// `ticket.status_changed`.
pub fn ticket_status_changed(conn: &mut AnyConnection, t: &Ticket, to: &str) -> QueryResult<()> {
    let Some(partner_id) = t.partner_id else {
        return Ok(());
    };
    if t.status == to {
        return Ok(());
    }
    emit(conn, partner_id, EventType::TicketStatusChanged, |_| {
        Ok(Some(plain(TicketStatusData {
            number: t.number,
            previous_status: t.status.clone(),
            status: to.to_string(),
            changed_at: rfc3339(crate::models::now()),
        })))
    })
}

/// `listing.status_changed`.
pub fn listing_status_changed(conn: &mut AnyConnection, l: &Listing, to: &str) -> QueryResult<()> {
    if l.status == to {
        return Ok(());
    }
    emit(conn, l.partner_id, EventType::ListingStatusChanged, |_| {
        Ok(Some(plain(ListingStatusData {
            id: l.id,
            slug: l.slug.clone(),
            title: l.title.clone(),
            previous_status: l.status.clone(),
            status: to.to_string(),
            changed_at: rfc3339(crate::models::now()),
        })))
    })
}

/// An example body of each event type, for the reference page: written by
/// the same types as the real ones, so the page cannot drift from them.
pub fn examples() -> Vec<(EventType, String)> {
    let at = time::macros::datetime!(2026-12-01 09:30:00);
    let when = rfc3339(at);
    let customer = Customer {
        id: 5012,
        name: "Mei Lin".into(),
        email: "mei.lin@example.com".into(),
    };
    let pretty = |body: String| {
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(body)
    };
    let mut out = Vec::new();
    let mut add = |kind: EventType, body: String| out.push((kind, pretty(body)));
    add(
        EventType::RequestCreated,
        body(
            EventType::RequestCreated,
            at,
            &RequestData {
                id: 88231,
                listing_id: 1204,
                listing_title: "Evening yoga".into(),
                customer: Some(customer.clone()),
                message: Some("Is there room on Thursday?".into()),
                created_at: when.clone(),
            },
        ),
    );
    add(
        EventType::ConsentGiven,
        body(
            EventType::ConsentGiven,
            at,
            &ConsentGivenData {
                customer: customer.clone(),
                given_at: when.clone(),
            },
        ),
    );
    add(
        EventType::ConsentWithdrawn,
        body(
            EventType::ConsentWithdrawn,
            at,
            &ConsentWithdrawnData {
                customer: CustomerId { id: customer.id },
                withdrawn_at: when.clone(),
            },
        ),
    );
    add(
        EventType::ReviewCreated,
        body(
            EventType::ReviewCreated,
            at,
            &ReviewData {
                id: 30877,
                listing_id: 1204,
                listing_title: "Evening yoga".into(),
                rating: 5,
                body: "Calm and friendly.".into(),
                author_name: Some(customer.name.clone()),
                created_at: when.clone(),
            },
        ),
    );
    add(
        EventType::TicketCreated,
        body(
            EventType::TicketCreated,
            at,
            &TicketData {
                number: 10452,
                subject: "Class moved?".into(),
                status: "new".into(),
                priority: "normal".into(),
                listing_id: Some(1204),
                requester: None,
                body: "The class was not in the room.".into(),
                created_at: when.clone(),
            },
        ),
    );
    add(
        EventType::TicketMessageCreated,
        body(
            EventType::TicketMessageCreated,
            at,
            &TicketMessageData {
                ticket_number: 10452,
                message: MessageData {
                    id: 771204,
                    author_kind: "staff".into(),
                    author_name: Some("Agora Support".into()),
                    body: "It moved to room 2; sorry for the trouble.".into(),
                    created_at: when.clone(),
                },
            },
        ),
    );
    add(
        EventType::TicketStatusChanged,
        body(
            EventType::TicketStatusChanged,
            at,
            &TicketStatusData {
                number: 10452,
                previous_status: "open".into(),
                status: "resolved".into(),
                changed_at: when.clone(),
            },
        ),
    );
    add(
        EventType::ListingStatusChanged,
        body(
            EventType::ListingStatusChanged,
            at,
            &ListingStatusData {
                id: 1204,
                slug: "evening-yoga".into(),
                title: "Evening yoga".into(),
                previous_status: "draft".into(),
                status: "published".into(),
                changed_at: when,
            },
        ),
    );
    out
}
