//! A partner's customers: consumers who engaged with one of its listings
//! and still consent to share their details. Notes, tags, the timeline
//! and the figures the segments are made from.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::domain::segments::{self, Inputs, Scores};
use crate::schema::{activities, crm_notes, crm_tags, engagements, reviews, tickets, users};

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub last_activity: PrimitiveDateTime,
    pub recent_activities: i64,
    /// Mean rating in hundredths, if the customer rated the partner.
    pub satisfaction: Option<i64>,
    pub tags: Vec<String>,
    pub scores: Scores,
}

impl Customer {
    pub fn satisfaction_text(&self) -> Option<String> {
        self.satisfaction.map(|h| {
            super::listings::Rating {
                hundredths: h,
                count: 1,
            }
            .display()
        })
    }
}

/// Ids of the consumers who currently consent to this partner.
pub fn consenting(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = engagements::table
        .filter(engagements::partner_id.eq(partner_id))
        .filter(engagements::consent.eq(true))
        .select(engagements::consumer_id)
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub fn is_customer(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<bool> {
    Ok(engagements::table
        .filter(engagements::partner_id.eq(partner_id))
        .filter(engagements::consumer_id.eq(consumer_id))
        .filter(engagements::consent.eq(true))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Every consenting customer with figures, tags and segment.
pub fn customers(
    conn: &mut AnyConnection,
    partner_id: i64,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<Customer>> {
    let ids = consenting(conn, partner_id)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let people: Vec<(i64, String, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name, users::email))
        .load(conn)?;
    let acts: Vec<(i64, PrimitiveDateTime)> = activities::table
        .filter(activities::partner_id.eq(partner_id))
        .filter(activities::consumer_id.eq_any(&ids))
        .select((activities::consumer_id, activities::created_at))
        .load(conn)?;
    let mut ratings: HashMap<i64, Vec<i64>> = HashMap::new();
    let review_rows: Vec<(i64, i32)> = reviews::table
        .filter(reviews::partner_id.eq(partner_id))
        .filter(reviews::consumer_id.eq_any(&ids))
        .select((reviews::consumer_id, reviews::rating))
        .load(conn)?;
    let ticket_rows: Vec<(i64, Option<i32>)> = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .filter(tickets::requester_id.eq_any(&ids))
        .filter(tickets::satisfaction_rating.is_not_null())
        .select((tickets::requester_id, tickets::satisfaction_rating))
        .load(conn)?;
    for (id, r) in review_rows {
        ratings.entry(id).or_default().push(r as i64);
    }
    for (id, r) in ticket_rows {
        if let Some(r) = r {
            ratings.entry(id).or_default().push(r as i64);
        }
    }
    let tag_rows: Vec<(i64, String)> = crm_tags::table
        .filter(crm_tags::partner_id.eq(partner_id))
        .order(crm_tags::tag.asc())
        .select((crm_tags::consumer_id, crm_tags::tag))
        .load(conn)?;
    let window = now - time::Duration::days(90);
    let mut out = Vec::new();
    let mut inputs = Vec::new();
    for (id, name, email) in people {
        let mine: Vec<PrimitiveDateTime> = acts.iter().filter(|a| a.0 == id).map(|a| a.1).collect();
        let last = mine.iter().max().copied().unwrap_or(now);
        let first = mine.iter().min().copied().unwrap_or(now);
        let recent = mine.iter().filter(|t| **t >= window).count() as i64;
        let satisfaction = ratings.get(&id).filter(|r| !r.is_empty()).map(|r| {
            let n = r.len() as i64;
            (r.iter().sum::<i64>() * 100 + n / 2) / n
        });
        inputs.push(Inputs {
            recency_days: (now - last).whole_days(),
            frequency: recent,
            satisfaction,
            first_days: (now - first).whole_days(),
        });
        out.push(Customer {
            id,
            name,
            email,
            last_activity: last,
            recent_activities: recent,
            satisfaction,
            tags: tag_rows
                .iter()
                .filter(|t| t.0 == id)
                .map(|t| t.1.clone())
                .collect(),
            scores: Scores {
                r: 0,
                f: 0,
                s: 0,
                segment: segments::Segment::Others,
            },
        });
    }
    for (c, s) in out.iter_mut().zip(segments::score(&inputs)) {
        c.scores = s;
    }
    out.sort_by(|a, b| b.last_activity.cmp(&a.last_activity).then(a.id.cmp(&b.id)));
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct Note {
    pub body: String,
    pub author: Option<String>,
    pub created_at: PrimitiveDateTime,
}

pub fn notes(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<Vec<Note>> {
    let rows: Vec<(String, Option<String>, PrimitiveDateTime)> = crm_notes::table
        .left_join(users::table.on(users::id.nullable().eq(crm_notes::author_id)))
        .filter(crm_notes::partner_id.eq(partner_id))
        .filter(crm_notes::consumer_id.eq(consumer_id))
        .order(crm_notes::id.desc())
        .select((
            crm_notes::body,
            users::display_name.nullable(),
            crm_notes::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(body, author, created_at)| Note {
            body,
            author,
            created_at,
        })
        .collect())
}

pub fn add_note(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
    author_id: i64,
    body: &str,
) -> QueryResult<()> {
    diesel::insert_into(crm_notes::table)
        .values((
            crm_notes::partner_id.eq(partner_id),
            crm_notes::consumer_id.eq(consumer_id),
            crm_notes::author_id.eq(Some(author_id)),
            crm_notes::body.eq(body),
            crm_notes::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    super::engagements::record_activity(conn, consumer_id, Some(partner_id), None, "note_added", "")
}

pub fn add_tag(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
    tag: &str,
) -> QueryResult<()> {
    let exists = crm_tags::table
        .filter(crm_tags::partner_id.eq(partner_id))
        .filter(crm_tags::consumer_id.eq(consumer_id))
        .filter(crm_tags::tag.eq(tag))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(crm_tags::table)
            .values((
                crm_tags::partner_id.eq(partner_id),
                crm_tags::consumer_id.eq(consumer_id),
                crm_tags::tag.eq(tag),
                crm_tags::created_at.eq(super::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove_tag(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
    tag: &str,
) -> QueryResult<usize> {
    diesel::delete(
        crm_tags::table
            .filter(crm_tags::partner_id.eq(partner_id))
            .filter(crm_tags::consumer_id.eq(consumer_id))
            .filter(crm_tags::tag.eq(tag)),
    )
    .execute(conn)
}

/// Tags the partner uses, for the filter.
pub fn tags_in_use(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<String>> {
    let mut tags: Vec<String> = crm_tags::table
        .filter(crm_tags::partner_id.eq(partner_id))
        .select(crm_tags::tag)
        .load(conn)?;
    tags.sort();
    tags.dedup();
    Ok(tags)
}

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub kind: String,
    pub detail: String,
    pub listing: Option<String>,
    pub at: PrimitiveDateTime,
}

/// What happened between the customer and this partner, newest first.
pub fn timeline(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<Vec<TimelineEntry>> {
    use crate::schema::listings;
    let rows: Vec<(String, String, Option<String>, PrimitiveDateTime)> = activities::table
        .left_join(listings::table.on(listings::id.nullable().eq(activities::listing_id)))
        .filter(activities::partner_id.eq(partner_id))
        .filter(activities::consumer_id.eq(consumer_id))
        .order(activities::id.desc())
        .limit(200)
        .select((
            activities::kind,
            activities::detail,
            listings::title.nullable(),
            activities::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, detail, listing, at)| TimelineEntry {
            kind,
            detail,
            listing,
            at,
        })
        .collect())
}
