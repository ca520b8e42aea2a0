//! Engagements (a consumer asks for a listing; consent to share name and
//! email is the partner's as a whole, in `consents`), the activity feed,
//! and reviews.

use crate::db::LimitInText;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{activities, consents, engagements, listings, reviews, users};
use crate::web::paging::{Page, PageRequest};

pub const ENGAGED: &str = "engaged";
pub const CONSENT_GIVEN: &str = "consent_given";
pub const CONSENT_WITHDRAWN: &str = "consent_withdrawn";
pub const REVIEWED: &str = "reviewed";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = engagements)]
pub struct Engagement {
    pub id: i64,
    pub listing_id: i64,
    pub partner_id: i64,
    pub consumer_id: i64,
    pub message: String,
    pub created_at: PrimitiveDateTime,
    /// The partner's answer, passed on by the platform.
    pub reply_body: Option<String>,
    pub reply_at: Option<PrimitiveDateTime>,
}

/// The catalogue key that names an activity's kind.
pub fn activity_label_key(kind: &str) -> &'static str {
    match kind {
        "engaged" => "timeline-engaged",
        "consent_given" => "timeline-consent-given",
        "consent_withdrawn" => "timeline-consent-withdrawn",
        "reviewed" => "timeline-reviewed",
        "ticket_opened" => "timeline-ticket-opened",
        "ticket_replied" => "timeline-ticket-replied",
        "ticket_answered" => "timeline-ticket-answered",
        "note_added" => "timeline-note-added",
        _ => "timeline-other",
    }
}

pub fn record_activity(
    conn: &mut AnyConnection,
    consumer_id: i64,
    partner_id: Option<i64>,
    listing_id: Option<i64>,
    kind: &str,
    detail: &str,
) -> QueryResult<()> {
    diesel::insert_into(activities::table)
        .values((
            activities::consumer_id.eq(consumer_id),
            activities::partner_id.eq(partner_id),
            activities::listing_id.eq(listing_id),
            activities::kind.eq(kind),
            activities::detail.eq(detail),
            activities::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Engagement>> {
    engagements::table
        .find(id)
        .select(Engagement::as_select())
        .first(conn)
        .optional()
}

pub fn find(
    conn: &mut AnyConnection,
    listing_id: i64,
    consumer_id: i64,
) -> QueryResult<Option<Engagement>> {
    engagements::table
        .filter(engagements::listing_id.eq(listing_id))
        .filter(engagements::consumer_id.eq(consumer_id))
        .select(Engagement::as_select())
        .first(conn)
        .optional()
}

/// Whether the consumer ever asked the partner for any service: consent
/// can only be given to a partner one has asked.
pub fn asked_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        engagements::table
            .filter(engagements::partner_id.eq(partner_id))
            .filter(engagements::consumer_id.eq(consumer_id)),
    ))
    .get_result(conn)
}

/// What came of a request: whether it was new, and whether the consumer
/// shares their details with the partner now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engaged {
    pub created: bool,
    pub shares: bool,
}

/// Records the request (once per consumer and listing) and, when `share`
/// is ticked, gives consent to the partner as a whole. Leaving it unticked
/// never withdraws a consent that stands: the form says it stands.
pub fn engage(
    conn: &mut AnyConnection,
    listing_id: i64,
    partner_id: i64,
    consumer_id: i64,
    message: &str,
    share: bool,
) -> QueryResult<Engaged> {
    if find(conn, listing_id, consumer_id)?.is_some() {
        return Ok(Engaged {
            created: false,
            shares: super::consents::stands(conn, partner_id, consumer_id)?,
        });
    }
    let t = super::now();
    let request_id: i64 = diesel::insert_into(engagements::table)
        .values((
            engagements::listing_id.eq(listing_id),
            engagements::partner_id.eq(partner_id),
            engagements::consumer_id.eq(consumer_id),
            engagements::message.eq(message),
            engagements::created_at.eq(t),
        ))
        .returning(engagements::id)
        .get_result(conn)?;
    record_activity(
        conn,
        consumer_id,
        Some(partner_id),
        Some(listing_id),
        ENGAGED,
        message,
    )?;
    if share {
        super::consents::give(conn, consumer_id, partner_id, Some(listing_id))?;
    }
    crate::webhooks::events::request_created(conn, partner_id, request_id)?;
    Ok(Engaged {
        created: true,
        shares: super::consents::stands(conn, partner_id, consumer_id)?,
    })
}

/// What a partner sees of one engagement: contact details and the message
/// only while the consumer consents.
#[derive(Debug, Clone)]
pub struct PartnerView {
    pub id: i64,
    pub listing_title: String,
    pub listing_slug: String,
    pub message: String,
    pub created_at: PrimitiveDateTime,
    pub contact: Option<(String, String)>,
    /// The partner's own answer, if it gave one.
    pub reply: Option<String>,
}

type PartnerRow = (
    i64,
    String,
    String,
    String,
    PrimitiveDateTime,
    i64,
    String,
    String,
    Option<String>,
    bool,
);

/// A page of the partner's requests, newest first; contact details and
/// messages only where consent stands (checked live, per consumer).
pub fn for_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<PartnerView>> {
    let mut q = engagements::table
        .inner_join(listings::table)
        .inner_join(users::table)
        .filter(engagements::partner_id.eq(partner_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(before_row(
            "engagements",
            "created_at",
            id,
            ("partner_id", partner_id),
        ));
    }
    let rows: Vec<PartnerRow> = q
        .order((engagements::created_at.desc(), engagements::id.desc()))
        .select((
            engagements::id,
            listings::title,
            listings::slug,
            engagements::message,
            engagements::created_at,
            engagements::consumer_id,
            users::display_name,
            users::email,
            engagements::reply_body,
            super::consents::stands_on_row(partner_id, super::consents::RowOf::Engagements),
        ))
        .page_of(req)
        .load(conn)?;
    let page = req.finish(rows, |r| (0, r.0));
    Ok(page.map(|r| {
        let shares = r.9;
        PartnerView {
            id: r.0,
            listing_title: r.1,
            listing_slug: r.2,
            message: if shares { r.3 } else { String::new() },
            created_at: r.4,
            contact: shares.then_some((r.6, r.7)),
            reply: r.8,
        }
    }))
}

/// The partner's answer to one of its requests; 0 when the request is not
/// the partner's, or was answered already (one answer each).
pub fn set_request_reply(
    conn: &mut AnyConnection,
    partner_id: i64,
    id: i64,
    reply: &str,
) -> QueryResult<usize> {
    diesel::update(
        engagements::table
            .filter(engagements::id.eq(id))
            .filter(engagements::partner_id.eq(partner_id))
            .filter(engagements::reply_at.is_null()),
    )
    .set((
        engagements::reply_body.eq(Some(reply)),
        engagements::reply_at.eq(Some(super::now())),
    ))
    .execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews)]
pub struct Review {
    pub id: i64,
    pub listing_id: i64,
    pub partner_id: i64,
    pub consumer_id: i64,
    pub rating: i32,
    pub body: String,
    pub hidden_at: Option<PrimitiveDateTime>,
    pub hidden_reason: Option<String>,
    pub reply_body: Option<String>,
    pub reply_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Review {
    pub fn stars(&self) -> String {
        let n = self.rating.clamp(0, 5) as usize;
        format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
    }
}

pub fn review_of(
    conn: &mut AnyConnection,
    listing_id: i64,
    consumer_id: i64,
) -> QueryResult<Option<Review>> {
    reviews::table
        .filter(reviews::listing_id.eq(listing_id))
        .filter(reviews::consumer_id.eq(consumer_id))
        .select(Review::as_select())
        .first(conn)
        .optional()
}

/// Writes the consumer's review of the listing (one each; a second call
/// edits it).
pub fn save_review(
    conn: &mut AnyConnection,
    listing_id: i64,
    partner_id: i64,
    consumer_id: i64,
    rating: i32,
    body: &str,
) -> QueryResult<Option<i64>> {
    let t = super::now();
    let first = match review_of(conn, listing_id, consumer_id)? {
        Some(r) => {
            diesel::update(reviews::table.find(r.id))
                .set((
                    reviews::rating.eq(rating),
                    reviews::body.eq(body),
                    reviews::updated_at.eq(t),
                ))
                .execute(conn)?;
            None
        }
        None => {
            let id: i64 = diesel::insert_into(reviews::table)
                .values((
                    reviews::listing_id.eq(listing_id),
                    reviews::partner_id.eq(partner_id),
                    reviews::consumer_id.eq(consumer_id),
                    reviews::rating.eq(rating),
                    reviews::body.eq(body),
                    reviews::created_at.eq(t),
                    reviews::updated_at.eq(t),
                ))
                .returning(reviews::id)
                .get_result(conn)?;
            crate::webhooks::events::review_created(conn, partner_id, id)?;
            Some(id)
        }
    };
    super::listings::refresh_rating(conn, listing_id)?;
    record_activity(
        conn,
        consumer_id,
        Some(partner_id),
        Some(listing_id),
        REVIEWED,
        &rating.to_string(),
    )?;
    Ok(first)
}

/// The listings a consumer reviewed.
pub fn listings_reviewed_by(conn: &mut AnyConnection, consumer_id: i64) -> QueryResult<Vec<i64>> {
    reviews::table
        .filter(reviews::consumer_id.eq(consumer_id))
        .select(reviews::listing_id)
        .load(conn)
}

/// `(column, id)` strictly before the row `id` of `table`: a seek on a
/// time and the id that never sends the time itself, so its stored text
/// form does not matter. The row is looked up within `scope` (`partner_id`
/// or `listing_id` equal to the list's own), so a cursor naming another
/// tenant's row finds nothing and tells nothing. Names are the code's
/// own, never a visitor's; the numbers are integers.
pub fn before_row(
    table: &'static str,
    column: &'static str,
    id: i64,
    scope: (&'static str, i64),
) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    let (scope_column, scope_id) = scope;
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "({table}.{column}, {table}.id) < ((SELECT t2.{column} FROM {table} t2 \
         WHERE t2.id = {id} AND t2.{scope_column} = {scope_id}), {id})"
    ))
}

/// A page of a listing's visible reviews with their authors' names,
/// newest first.
pub fn visible_reviews(
    conn: &mut AnyConnection,
    listing_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<(Review, String)>> {
    let mut q = reviews::table
        .inner_join(users::table)
        .filter(reviews::listing_id.eq(listing_id))
        .filter(reviews::hidden_at.is_null())
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(before_row(
            "reviews",
            "created_at",
            id,
            ("listing_id", listing_id),
        ));
    }
    let rows = q
        .order((reviews::created_at.desc(), reviews::id.desc()))
        .select((Review::as_select(), users::display_name))
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(rows, |(r, _)| (0, r.id)))
}

/// One review of the partner's listings, as `reviews_for_partner` gives it.
pub fn partner_review(
    conn: &mut AnyConnection,
    partner_id: i64,
    id: i64,
) -> QueryResult<Option<(Review, Option<String>, String)>> {
    let row: Option<(Review, String, String)> = reviews::table
        .inner_join(users::table)
        .inner_join(listings::table)
        .filter(reviews::partner_id.eq(partner_id))
        .filter(reviews::id.eq(id))
        .select((Review::as_select(), users::display_name, listings::title))
        .first(conn)
        .optional()?;
    let Some((r, name, title)) = row else {
        return Ok(None);
    };
    let shares = super::consents::stands(conn, partner_id, r.consumer_id)?;
    Ok(Some((r, shares.then_some(name), title)))
}

/// A page of a partner's reviews (hidden ones too, marked), with listing
/// titles, newest first; the author's name only where their consent to
/// the partner stands.
pub fn reviews_for_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<(Review, Option<String>, String)>> {
    let mut q = reviews::table
        .inner_join(users::table)
        .inner_join(listings::table)
        .filter(reviews::partner_id.eq(partner_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(before_row(
            "reviews",
            "created_at",
            id,
            ("partner_id", partner_id),
        ));
    }
    let rows: Vec<(Review, String, String, bool)> = q
        .order((reviews::created_at.desc(), reviews::id.desc()))
        .select((
            Review::as_select(),
            users::display_name,
            listings::title,
            super::consents::stands_on_row(partner_id, super::consents::RowOf::Reviews),
        ))
        .page_of(req)
        .load(conn)?;
    let page = req.finish(rows, |(r, _, _, _)| (0, r.id));
    Ok(page.map(|(r, name, title, shares)| (r, shares.then_some(name), title)))
}

/// One page of every review for moderation, newest first, with author and
/// listing title; `hidden` keeps only hidden (`Some(true)`) or visible ones,
/// over `reviews_id_visible`.
pub fn all_reviews(
    conn: &mut AnyConnection,
    hidden: Option<bool>,
    req: &crate::web::paging::PageRequest,
) -> QueryResult<crate::web::paging::Page<(Review, String, String)>> {
    let mut q = reviews::table
        .inner_join(users::table)
        .inner_join(listings::table)
        .into_boxed();
    match hidden {
        Some(true) => q = q.filter(reviews::hidden_at.is_not_null()),
        Some(false) => q = q.filter(reviews::hidden_at.is_null()),
        None => {}
    }
    if let Some((_, id)) = req.after() {
        q = q.filter(reviews::id.lt(id));
    }
    let list = q
        .order(reviews::id.desc())
        .select((Review::as_select(), users::display_name, listings::title))
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |(r, _, _)| (r.id, r.id)))
}

/// Sets (or edits) the partner's public reply to one of its reviews.
/// `None` when the review is not the partner's; `Some(true)` when this is
/// its first reply (the author hears of a reply once, not of each edit).
pub fn set_reply(
    conn: &mut AnyConnection,
    partner_id: i64,
    review_id: i64,
    reply: &str,
) -> QueryResult<Option<bool>> {
    let before: Option<Option<PrimitiveDateTime>> = reviews::table
        .filter(reviews::id.eq(review_id))
        .filter(reviews::partner_id.eq(partner_id))
        .select(reviews::reply_at)
        .first(conn)
        .optional()?;
    let Some(before) = before else {
        return Ok(None);
    };
    diesel::update(reviews::table.find(review_id))
        .set((
            reviews::reply_body.eq(Some(reply)),
            reviews::reply_at.eq(Some(super::now())),
        ))
        .execute(conn)?;
    Ok(Some(before.is_none()))
}

pub fn set_hidden(
    conn: &mut AnyConnection,
    review_id: i64,
    reason: Option<&str>,
) -> QueryResult<usize> {
    let hidden_at = reason.map(|_| super::now());
    let listing: Option<i64> = diesel::update(reviews::table.find(review_id))
        .set((
            reviews::hidden_at.eq(hidden_at),
            reviews::hidden_reason.eq(reason),
        ))
        .returning(reviews::listing_id)
        .get_result(conn)
        .optional()?;
    match listing {
        Some(listing_id) => {
            super::listings::refresh_rating(conn, listing_id)?;
            Ok(1)
        }
        None => Ok(0),
    }
}

/// A request as the partner's API shows it: only ever one whose consumer's
/// consent to the partner stands.
#[derive(Debug, Clone, Queryable)]
pub struct SharedRequest {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    pub consumer_id: i64,
    pub consumer_name: String,
    pub consumer_email: String,
    pub message: String,
    pub created_at: PrimitiveDateTime,
}

/// Up to `limit` of the partner's requests from consumers whose consent
/// to it stands, newest first (by id), before the id `before` when given
/// (index `engagements_partner_id`).
pub fn shared_requests(
    conn: &mut AnyConnection,
    partner_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<SharedRequest>> {
    let mut q = engagements::table
        .inner_join(listings::table)
        .inner_join(users::table.on(users::id.eq(engagements::consumer_id)))
        .filter(engagements::partner_id.eq(partner_id))
        .filter(diesel::dsl::exists(
            consents::table
                .filter(consents::partner_id.eq(partner_id))
                .filter(consents::consumer_id.eq(engagements::consumer_id))
                .filter(consents::given.eq(true)),
        ))
        .into_boxed();
    if let Some(id) = before {
        q = q.filter(engagements::id.lt(id));
    }
    q.order(engagements::id.desc())
        .select((
            engagements::id,
            engagements::listing_id,
            listings::title,
            engagements::consumer_id,
            users::display_name,
            users::email,
            engagements::message,
            engagements::created_at,
        ))
        .limit(limit)
        .load(conn)
}
