//! Everything kept about a person, gathered for their own download.
//! Internal notes of the support team and partners' CRM notes are not
//! part of it.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::models::users::User;
use crate::models::{sessions, tickets};
use crate::schema::{activities, consents, engagements, listings, partners as partners_t, reviews};

#[derive(Serialize)]
pub struct Export {
    pub exported_at: String,
    pub profile: Profile,
    pub engagements: Vec<EngagementOut>,
    pub reviews: Vec<ReviewOut>,
    pub tickets: Vec<TicketOut>,
    pub activity: Vec<ActivityOut>,
    pub sessions: Vec<SessionOut>,
}

#[derive(Serialize)]
pub struct Profile {
    pub email: String,
    pub display_name: String,
    pub language: Option<String>,
    pub email_verified_at: Option<String>,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct EngagementOut {
    pub partner: String,
    pub listing: String,
    pub message: String,
    /// Consent is the partner's as a whole: the same on each request to it.
    pub shares_contact_details: bool,
    pub consent_at: Option<String>,
    pub consent_withdrawn_at: Option<String>,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct ReviewOut {
    pub listing: String,
    pub rating: i32,
    pub text: String,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct TicketOut {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub created_at: String,
    pub satisfaction_rating: Option<i32>,
    pub messages: Vec<MessageOut>,
}

#[derive(Serialize)]
pub struct MessageOut {
    pub from: String,
    pub text: String,
    pub at: String,
}

#[derive(Serialize)]
pub struct ActivityOut {
    pub kind: String,
    pub detail: String,
    pub at: String,
}

#[derive(Serialize)]
pub struct SessionOut {
    pub browser: Option<String>,
    pub address: Option<String>,
    pub signed_in_at: String,
    pub last_seen_at: String,
}

type EngagementRow = (i64, String, String, String, PrimitiveDateTime);

/// A UTC time as RFC 3339 ("2026-03-01T09:30:00Z").
pub fn iso(t: PrimitiveDateTime) -> String {
    t.assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn collect(conn: &mut AnyConnection, user: User) -> QueryResult<Export> {
    let uid = user.id;
    let engagements_rows: Vec<EngagementRow> = engagements::table
        .inner_join(listings::table)
        .inner_join(partners_t::table)
        .filter(engagements::consumer_id.eq(uid))
        .select((
            engagements::partner_id,
            partners_t::name,
            listings::title,
            engagements::message,
            engagements::created_at,
        ))
        .load(conn)?;
    let consent_rows: std::collections::HashMap<
        i64,
        (bool, PrimitiveDateTime, Option<PrimitiveDateTime>),
    > = consents::table
        .filter(consents::consumer_id.eq(uid))
        .select((
            consents::partner_id,
            consents::given,
            consents::given_at,
            consents::withdrawn_at,
        ))
        .load::<(i64, bool, PrimitiveDateTime, Option<PrimitiveDateTime>)>(conn)?
        .into_iter()
        .map(|(p, g, at, w)| (p, (g, at, w)))
        .collect();
    let review_rows: Vec<(String, i32, String, PrimitiveDateTime)> = reviews::table
        .inner_join(listings::table)
        .filter(reviews::consumer_id.eq(uid))
        .select((
            listings::title,
            reviews::rating,
            reviews::body,
            reviews::created_at,
        ))
        .load(conn)?;
    let mut ticket_out = Vec::new();
    for t in tickets::of_requester(conn, uid)? {
        let messages = tickets::messages(conn, t.id, false)?
            .into_iter()
            .map(|m| MessageOut {
                from: m.partner_name.clone().unwrap_or(m.author_name),
                text: m.body,
                at: iso(m.created_at),
            })
            .collect();
        ticket_out.push(TicketOut {
            number: t.number,
            subject: t.subject,
            status: t.status,
            created_at: iso(t.created_at),
            satisfaction_rating: t.satisfaction_rating,
            messages,
        });
    }
    let activity_rows: Vec<(String, String, PrimitiveDateTime)> = activities::table
        .filter(activities::consumer_id.eq(uid))
        .order(activities::id.asc())
        .select((activities::kind, activities::detail, activities::created_at))
        .load(conn)?;
    let session_rows = sessions::for_user(conn, uid)?;
    Ok(Export {
        exported_at: iso(crate::models::now()),
        profile: Profile {
            email: user.email,
            display_name: user.display_name,
            language: user.locale,
            email_verified_at: user.email_verified_at.map(iso),
            created_at: iso(user.created_at),
        },
        engagements: engagements_rows
            .into_iter()
            .map(|r| {
                let c = consent_rows.get(&r.0);
                EngagementOut {
                    partner: r.1,
                    listing: r.2,
                    message: r.3,
                    shares_contact_details: c.is_some_and(|c| c.0),
                    consent_at: c.map(|c| iso(c.1)),
                    consent_withdrawn_at: c.and_then(|c| c.2).map(iso),
                    created_at: iso(r.4),
                }
            })
            .collect(),
        reviews: review_rows
            .into_iter()
            .map(|r| ReviewOut {
                listing: r.0,
                rating: r.1,
                text: r.2,
                created_at: iso(r.3),
            })
            .collect(),
        tickets: ticket_out,
        activity: activity_rows
            .into_iter()
            .map(|r| ActivityOut {
                kind: r.0,
                detail: r.1,
                at: iso(r.2),
            })
            .collect(),
        sessions: session_rows
            .into_iter()
            .map(|s| SessionOut {
                browser: s.user_agent,
                address: s.ip,
                signed_in_at: iso(s.created_at),
                last_seen_at: iso(s.last_seen_at),
            })
            .collect(),
    })
}
