//! A partner's customers: consumers who engaged with one of its listings
//! and still consent to share their details. Notes, tags, the timeline,
//! and the segment scores, kept in `customer_scores` by a background
//! refresh so that no page ranks every customer per request.
//!
//! Consent is always checked live against `consents`, never read from
//! the scores: a person who withdraws disappears from every page at once,
//! although their score row stays until the next refresh.

use crate::db::LimitInText;
use std::collections::HashMap;

use diesel::dsl::{count_star, exists, max, min, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};
use time::PrimitiveDateTime;

use crate::db::{AnyConnection, MultiBackend};
use crate::domain::segments::{self, Inputs, Segment};
use crate::schema::{
    activities, consents, crm_notes, crm_tags, customer_score_runs, customer_scores, reviews,
    tickets, users,
};
use crate::web::paging::{self, Page, PageRequest};

/// Customers on one page of the list.
pub const PAGE_SIZE: usize = 50;
/// Timeline entries on one page of the customer page.
pub const TIMELINE_PAGE_SIZE: usize = 50;
/// Rows the CSV export reads per query.
pub const EXPORT_BATCH: i64 = 1000;
/// Notes shown on the customer page, newest first.
pub const NOTES_SHOWN: i64 = 100;
/// Tags offered by the list's filter.
pub const TAGS_OFFERED: i64 = 200;

/// Scores are worked out again after this long even when nothing
/// happened: recency counts in days and the 90-day window moves.
pub const RECOMPUTE_AFTER: time::Duration = time::Duration::hours(24);
/// The refresh counts the partner's activities of this long before it
/// started; any more of them later (a write that committed just after the
/// refresh read) make the partner due again.
const SEEN_MARGIN: time::Duration = time::Duration::seconds(30);
/// Rows per INSERT when scores are written (12 values each).
const INSERT_CHUNK: usize = 500;
/// How far back the segments' "a month ago" is taken.
pub const PAST_SEGMENT_AGO: time::Duration = time::Duration::days(30);

/// One customer's stored figures and scores.
#[derive(Debug, Clone)]
pub struct Score {
    pub last_activity: PrimitiveDateTime,
    pub first_activity: PrimitiveDateTime,
    /// Activities with the partner in the 90 days before `computed_at`.
    pub recent_activities: i64,
    /// Mean rating in hundredths, if the customer rated the partner.
    pub satisfaction: Option<i64>,
    pub r: i32,
    pub f: i32,
    pub s: i32,
    pub segment: Segment,
    pub computed_at: PrimitiveDateTime,
}

impl Score {
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

/// A consenting customer, with the score row if there is one yet (someone
/// who engaged since the last refresh has none).
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub tags: Vec<String>,
    pub score: Option<Score>,
}

/// The orders the list offers; each is backed by an index on the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Recent,
    Inactive,
    Frequent,
    Satisfied,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Recent,
        Sort::Inactive,
        Sort::Frequent,
        Sort::Satisfied,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Recent => "recent",
            Sort::Inactive => "inactive",
            Sort::Frequent => "frequent",
            Sort::Satisfied => "satisfied",
        }
    }

    pub fn parse(s: &str) -> Sort {
        Sort::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .unwrap_or_default()
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Sort::Recent => "crm-sort-recent",
            Sort::Inactive => "crm-sort-inactive",
            Sort::Frequent => "crm-sort-frequent",
            Sort::Satisfied => "crm-sort-satisfied",
        }
    }

    /// The seek key of a row in this order.
    fn key(self, s: &Score) -> i64 {
        match self {
            Sort::Recent | Sort::Inactive => paging::time_key(s.last_activity),
            Sort::Frequent => s.recent_activities,
            Sort::Satisfied => s.satisfaction.unwrap_or(0),
        }
    }
}

/// What the list and the export are cut by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name or email, any case.
    pub q: String,
    pub tag: String,
    pub segment: Option<Segment>,
    /// The segment a month ago (`PAST_SEGMENT_AGO`).
    pub was: Option<Was>,
    pub sort: Sort,
}

/// Where a customer stood a month ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Was {
    Segment(Segment),
    /// Not a customer yet.
    NotYet,
}

impl Was {
    pub const NOT_YET: &'static str = "none";

    pub fn parse(s: &str) -> Option<Was> {
        if s == Self::NOT_YET {
            return Some(Was::NotYet);
        }
        Segment::parse(s).map(Was::Segment)
    }

    pub fn code(self) -> &'static str {
        match self {
            Was::Segment(s) => s.code(),
            Was::NotYet => Self::NOT_YET,
        }
    }
}

/// How many customers who consent now moved from one segment (or from
/// not being a customer) to another over the last month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub from: Was,
    pub to: Segment,
    pub customers: i64,
}

type ScoredSource = diesel::dsl::InnerJoinOn<
    customer_scores::table,
    users::table,
    diesel::dsl::Eq<users::id, customer_scores::consumer_id>,
>;
type Scored<'a> = diesel::dsl::IntoBoxed<'a, ScoredSource, MultiBackend>;

type ScoreRow = (
    i64,
    String,
    String,
    PrimitiveDateTime,
    PrimitiveDateTime,
    i32,
    i32,
    i32,
    i32,
    i32,
    String,
    PrimitiveDateTime,
    Option<String>,
);

type ScoreColumns = (
    customer_scores::consumer_id,
    users::display_name,
    users::email,
    customer_scores::last_activity_at,
    customer_scores::first_activity_at,
    customer_scores::frequency,
    customer_scores::satisfaction,
    customer_scores::r_score,
    customer_scores::f_score,
    customer_scores::s_score,
    customer_scores::segment,
    customer_scores::computed_at,
    TagList,
);

const SCORE_COLUMNS: ScoreColumns = (
    customer_scores::consumer_id,
    users::display_name,
    users::email,
    customer_scores::last_activity_at,
    customer_scores::first_activity_at,
    customer_scores::frequency,
    customer_scores::satisfaction,
    customer_scores::r_score,
    customer_scores::f_score,
    customer_scores::s_score,
    customer_scores::segment,
    customer_scores::computed_at,
    TagList,
);

fn customer_from(r: ScoreRow) -> Customer {
    let mut tags: Vec<String> = match &r.12 {
        Some(list) => list.split(',').map(str::to_string).collect(),
        None => Vec::new(),
    };
    tags.sort_unstable();
    Customer {
        id: r.0,
        name: r.1,
        email: r.2,
        tags,
        score: Some(Score {
            last_activity: r.3,
            first_activity: r.4,
            recent_activities: r.5 as i64,
            satisfaction: (r.6 > 0).then_some(r.6 as i64),
            r: r.7,
            f: r.8,
            s: r.9,
            segment: Segment::parse(&r.10).unwrap_or(Segment::Others),
            computed_at: r.11,
        }),
    }
}

/// Adds the filter's conditions to a query over `customer_scores` (alone
/// or joined to `users`): the partner, consent checked live for every row,
/// segment, tag and search. The search is a correlated lookup of the one
/// user row, so no database is tempted to scan every user for the pattern.
macro_rules! cut_by {
    ($q:expr, $partner_id:expr, $f:expr) => {{
        let (partner_id, f): (i64, &Filter) = ($partner_id, $f);
        let mut q = $q
            .filter(customer_scores::partner_id.eq(partner_id))
            .filter(consent_stands(partner_id));
        if let Some(s) = f.segment {
            q = q.filter(customer_scores::segment.eq(s.code()));
        }
        match f.was {
            Some(Was::Segment(s)) => q = q.filter(customer_scores::past_segment.eq(s.code())),
            Some(Was::NotYet) => q = q.filter(customer_scores::past_segment.is_null()),
            None => {}
        }
        if !f.tag.is_empty() {
            q = q.filter(exists(
                crm_tags::table
                    .filter(crm_tags::partner_id.eq(partner_id))
                    .filter(crm_tags::consumer_id.eq(customer_scores::consumer_id))
                    .filter(crm_tags::tag.eq(f.tag.clone())),
            ));
        }
        let needle = f.q.trim().to_lowercase();
        if !needle.is_empty() {
            let pattern = format!("%{}%", crate::db::like_escape(&needle));
            q = q.filter(
                diesel::dsl::sql::<Bool>("(SELECT (lower(u.display_name) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR lower(u.email) LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\') FROM users u WHERE u.id = customer_scores.consumer_id)"),
            );
        }
        q
    }};
}

/// `customer_scores`' consumer consents to the partner right now: the
/// consent row (one per partner and consumer, by its key) read as a value
/// for each score the scan passes. Written as `EXISTS` PostgreSQL may turn
/// it into a join, and for a plan made without the values (a kept one) it
/// then chose to hash every consent of the partner: 540 ms a page for the
/// largest. As a value the plan is always the scores' index in the page's
/// order, stopping after the page, with one key lookup per row. A
/// `db::Condition` rather than raw SQL, so the statement stays prepared.
fn consent_stands(partner_id: i64) -> crate::db::Condition<BigInt, i64> {
    crate::db::Condition::new(
        [
            "(SELECT consents_2.given FROM consents consents_2 ",
            "WHERE consents_2.partner_id = ",
        ],
        partner_id,
        " AND consents_2.consumer_id = customer_scores.consumer_id)",
    )
}

/// The partner's scored customers who consent right now, cut by the
/// filter, with their names.
fn scored(partner_id: i64, f: &Filter) -> Scored<'static> {
    cut_by!(
        customer_scores::table
            .inner_join(users::table.on(users::id.eq(customer_scores::consumer_id)))
            .into_boxed(),
        partner_id,
        f
    )
}

/// How many customers the filter keeps, up to `COUNT_CAP + 1`: read from
/// the scores' index and the live consent, without the users.
pub fn count_capped(conn: &mut AnyConnection, partner_id: i64, f: &Filter) -> QueryResult<i64> {
    let q = cut_by!(customer_scores::table.into_boxed(), partner_id, f);
    crate::db::capped::count_capped(conn, q.select(customer_scores::consumer_id))
}

/// The partner's consenting customers by (segment a month ago, segment
/// now), counted in SQL over the scores (consent checked live).
pub fn movements(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<Movement>> {
    let rows: Vec<(Option<String>, String, i64)> = customer_scores::table
        .filter(customer_scores::partner_id.eq(partner_id))
        .filter(consent_stands(partner_id))
        .group_by((customer_scores::past_segment, customer_scores::segment))
        .select((
            customer_scores::past_segment,
            customer_scores::segment,
            count_star(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, to, customers)| {
            Some(Movement {
                from: match from {
                    Some(f) => Was::Segment(Segment::parse(&f)?),
                    None => Was::NotYet,
                },
                to: Segment::parse(&to)?,
                customers,
            })
        })
        .collect())
}

/// Keeps the rows after `(key, id)` in the sort's order with a
/// row-value comparison `(column, consumer_id) < (key, id)` (`>` for an
/// ascending order), which both databases answer from the index.
fn seek_after(q: Scored<'static>, sort: Sort, key: i64, id: i64) -> Scored<'static> {
    let (column, op) = match sort {
        Sort::Recent => ("last_activity_at", "<"),
        Sort::Inactive => ("last_activity_at", ">"),
        Sort::Frequent => ("frequency", "<"),
        Sort::Satisfied => ("satisfaction", "<"),
    };
    let head = format!("(customer_scores.{column}, customer_scores.consumer_id) {op} (");
    match sort {
        Sort::Recent | Sort::Inactive => q.filter(
            diesel::dsl::sql::<Bool>(&head)
                .bind::<Timestamp, _>(paging::key_time(key))
                .sql(", ")
                .bind::<BigInt, _>(id)
                .sql(")"),
        ),
        Sort::Frequent | Sort::Satisfied => q.filter(
            diesel::dsl::sql::<Bool>(&head)
                .bind::<Integer, _>(key.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
                .sql(", ")
                .bind::<BigInt, _>(id)
                .sql(")"),
        ),
    }
}

/// One page of the list, with the number of matching customers (capped).
pub fn page(
    conn: &mut AnyConnection,
    partner_id: i64,
    f: &Filter,
    req: &PageRequest,
) -> QueryResult<Page<Customer>> {
    let mut q = scored(partner_id, f);
    if let Some((key, id)) = req.after() {
        q = seek_after(q, f.sort, key, id);
    }
    q = match f.sort {
        Sort::Recent => q.order((
            customer_scores::last_activity_at.desc(),
            customer_scores::consumer_id.desc(),
        )),
        Sort::Inactive => q.order((
            customer_scores::last_activity_at.asc(),
            customer_scores::consumer_id.asc(),
        )),
        Sort::Frequent => q.order((
            customer_scores::frequency.desc(),
            customer_scores::consumer_id.desc(),
        )),
        Sort::Satisfied => q.order((
            customer_scores::satisfaction.desc(),
            customer_scores::consumer_id.desc(),
        )),
    };
    // One plan serves every partner (an index scan in the sort's order, a
    // key lookup per row for the consent, the name and the tags).
    let rows: Vec<ScoreRow> = q.select(SCORE_COLUMNS).page_of(req).load(conn)?;
    let list: Vec<Customer> = rows.into_iter().map(customer_from).collect();
    let sort = f.sort;
    let page = req.finish(list, |c| {
        (c.score.as_ref().map(|s| sort.key(s)).unwrap_or(0), c.id)
    });
    Ok(page)
}

/// Up to `EXPORT_BATCH` customers with ids above `after`, by id: what the
/// CSV export reads at a time.
pub fn export_batch(
    conn: &mut AnyConnection,
    partner_id: i64,
    f: &Filter,
    after: i64,
) -> QueryResult<Vec<Customer>> {
    by_id_after(conn, partner_id, f, after, EXPORT_BATCH)
}

/// Up to `limit` customers (consent standing) with ids above `after`, by
/// id, with their tags: the export's batches and the API's pages.
pub fn by_id_after(
    conn: &mut AnyConnection,
    partner_id: i64,
    f: &Filter,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<Customer>> {
    let rows: Vec<ScoreRow> = scored(partner_id, f)
        .filter(customer_scores::consumer_id.gt(after))
        .order(customer_scores::consumer_id.asc())
        .select(SCORE_COLUMNS)
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(customer_from).collect())
}

/// A customer row's tags, joined by commas (a tag never holds one): read
/// with the row from `crm_tags`' unique index on (partner, consumer, tag),
/// so a page and its tags are one statement that plans the same for every
/// partner. The order is the caller's to make.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct TagList;

impl Expression for TagList {
    type SqlType = diesel::sql_types::Nullable<Text>;
}

impl<QS> AppearsOnTable<QS> for TagList {}

impl<QS> SelectableExpression<QS> for TagList {}

impl<GB> diesel::expression::ValidGrouping<GB> for TagList {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryFragment<MultiBackend> for TagList {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>,
    ) -> QueryResult<()> {
        out.push_sql(match out.backend() {
            MultiBackend::Postgres(_) => "(SELECT string_agg(t.tag, ',')",
            MultiBackend::Sqlite(_) => "(SELECT group_concat(t.tag, ',')",
        });
        out.push_sql(
            " FROM crm_tags t WHERE t.partner_id = customer_scores.partner_id \
             AND t.consumer_id = customer_scores.consumer_id)",
        );
        Ok(())
    }
}

pub fn is_customer(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<bool> {
    super::consents::stands(conn, partner_id, consumer_id)
}

/// One customer of this partner, if they consent right now.
pub fn customer(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
) -> QueryResult<Option<Customer>> {
    if !is_customer(conn, partner_id, consumer_id)? {
        return Ok(None);
    }
    let scored: Option<ScoreRow> = customer_scores::table
        .inner_join(users::table.on(users::id.eq(customer_scores::consumer_id)))
        .filter(customer_scores::partner_id.eq(partner_id))
        .filter(customer_scores::consumer_id.eq(consumer_id))
        .select(SCORE_COLUMNS)
        .first(conn)
        .optional()?;
    let mut c = match scored {
        Some(row) => customer_from(row),
        None => {
            let Some((name, email)) = users::table
                .find(consumer_id)
                .select((users::display_name, users::email))
                .first::<(String, String)>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            Customer {
                id: consumer_id,
                name,
                email,
                tags: Vec::new(),
                score: None,
            }
        }
    };
    c.tags = crm_tags::table
        .filter(crm_tags::partner_id.eq(partner_id))
        .filter(crm_tags::consumer_id.eq(consumer_id))
        .order(crm_tags::tag.asc())
        .select(crm_tags::tag)
        .load(conn)?;
    Ok(Some(c))
}

/// When the partner's scores were last computed, if ever.
pub fn computed_at(
    conn: &mut AnyConnection,
    partner_id: i64,
) -> QueryResult<Option<PrimitiveDateTime>> {
    customer_score_runs::table
        .find(partner_id)
        .select(customer_score_runs::computed_at)
        .first(conn)
        .optional()
}

/// The time of the partner's scores, computing them first if they never
/// were (a first visit; bounded by this one partner).
pub fn ensure_scored(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<PrimitiveDateTime> {
    match computed_at(conn, partner_id)? {
        Some(t) => Ok(t),
        None => {
            refresh_scores(conn, partner_id)?;
            computed_at(conn, partner_id)?.ok_or(diesel::result::Error::NotFound)
        }
    }
}

/// Works out the scores of one partner's consenting customers again, by the
/// rules of `domain::segments`, and replaces the stored ones in one write
/// transaction. Returns how many customers were scored.
pub fn refresh_scores(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<usize> {
    crate::db::write_tx(conn, |conn| refresh_in_tx(conn, partner_id))
}

/// `refresh_scores` inside a write transaction the caller holds.
pub fn refresh_in_tx(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<usize> {
    let now = super::now();
    // Claim the partner's run row first: a second refresh of the same
    // partner (another instance) waits here instead of colliding below.
    claim_run(conn, partner_id, now)?;
    let seen_after = now - SEEN_MARGIN;
    let seen_count: i64 = activities::table
        .filter(activities::partner_id.eq(partner_id))
        .filter(activities::created_at.gt(seen_after))
        .count()
        .get_result(conn)?;

    let mut ids: Vec<i64> = consents::table
        .filter(consents::partner_id.eq(partner_id))
        .filter(consents::given.eq(true))
        .select(consents::consumer_id)
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();

    let figures: Vec<(i64, PrimitiveDateTime, PrimitiveDateTime, Inputs)> =
        inputs_at(conn, partner_id, &ids, now, false)?
            .into_iter()
            .zip(&ids)
            .map(|(f, id)| {
                let (last, first, i) = f.unwrap_or((now, now, blank(now, now, now)));
                (*id, last, first, i)
            })
            .collect();
    let inputs: Vec<Inputs> = figures.iter().map(|f| f.3).collect();
    let scores = segments::score(&inputs);
    // The same rules over what was known a month before: who was a
    // customer then (of those who consent now) and in which segment.
    let then = inputs_at(conn, partner_id, &ids, now - PAST_SEGMENT_AGO, true)?;
    let then_inputs: Vec<Inputs> = then.iter().flatten().map(|f| f.2).collect();
    let mut then_scores = segments::score(&then_inputs).into_iter();
    let past: Vec<Option<&'static str>> = then
        .iter()
        .map(|f| {
            f.as_ref()
                .and_then(|_| then_scores.next())
                .map(|s| s.segment.code())
        })
        .collect();

    diesel::delete(customer_scores::table.filter(customer_scores::partner_id.eq(partner_id)))
        .execute(conn)?;
    let rows: Vec<_> = figures
        .iter()
        .zip(&scores)
        .zip(&past)
        .map(|(((id, last, first, i), s), past)| {
            (
                customer_scores::partner_id.eq(partner_id),
                customer_scores::consumer_id.eq(*id),
                customer_scores::last_activity_at.eq(*last),
                customer_scores::first_activity_at.eq(*first),
                customer_scores::frequency.eq(i.frequency.min(i32::MAX as i64) as i32),
                customer_scores::satisfaction.eq(i.satisfaction.unwrap_or(0) as i32),
                customer_scores::r_score.eq(s.r as i32),
                customer_scores::f_score.eq(s.f as i32),
                customer_scores::s_score.eq(s.s as i32),
                customer_scores::segment.eq(s.segment.code()),
                customer_scores::computed_at.eq(now),
                customer_scores::past_segment.eq(*past),
            )
        })
        .collect();
    // Multi-row inserts run on the backend's own connection: the
    // MultiConnection has no batch insert.
    for chunk in rows.chunks(INSERT_CHUNK) {
        let insert = diesel::insert_into(customer_scores::table).values(chunk);
        match conn {
            AnyConnection::Postgres(c) => insert.execute(c)?,
            AnyConnection::Sqlite(c) => insert.execute(c)?,
        };
    }
    diesel::update(customer_score_runs::table.find(partner_id))
        .set((
            customer_score_runs::computed_at.eq(now),
            customer_score_runs::seen_after.eq(seen_after),
            customer_score_runs::seen_count.eq(seen_count.min(i32::MAX as i64) as i32),
            customer_score_runs::customers.eq(ids.len().min(i32::MAX as usize) as i32),
        ))
        .execute(conn)?;
    Ok(ids.len())
}

/// Inputs of a customer with no activity: scored as of `now`.
fn blank(last: PrimitiveDateTime, first: PrimitiveDateTime, now: PrimitiveDateTime) -> Inputs {
    Inputs {
        recency_days: (now - last).whole_days(),
        frequency: 0,
        satisfaction: None,
        first_days: (now - first).whole_days(),
    }
}

/// Each customer's (last activity, first activity, inputs) as of `at`,
/// from what happened before it: activities, ratings of reviews and
/// ticket surveys. Grouped in SQL over the partner's rows. With
/// `only_known`, a customer with no activity before `at` is `None` (not a
/// customer yet); otherwise they count as active at `at`.
fn inputs_at(
    conn: &mut AnyConnection,
    partner_id: i64,
    ids: &[i64],
    at: PrimitiveDateTime,
    only_known: bool,
) -> QueryResult<Vec<Option<(PrimitiveDateTime, PrimitiveDateTime, Inputs)>>> {
    let window = at - time::Duration::days(90);
    // Per customer: last and first activity, then activities in 90 days.
    let spans: HashMap<i64, (Option<PrimitiveDateTime>, Option<PrimitiveDateTime>)> =
        activities::table
            .filter(activities::partner_id.eq(partner_id))
            .filter(activities::created_at.le(at))
            .group_by(activities::consumer_id)
            .select((
                activities::consumer_id,
                max(activities::created_at),
                min(activities::created_at),
            ))
            .load::<(i64, Option<PrimitiveDateTime>, Option<PrimitiveDateTime>)>(conn)?
            .into_iter()
            .map(|(id, last, first)| (id, (last, first)))
            .collect();
    let recent: HashMap<i64, i64> = activities::table
        .filter(activities::partner_id.eq(partner_id))
        .filter(activities::created_at.ge(window))
        .filter(activities::created_at.le(at))
        .group_by(activities::consumer_id)
        .select((activities::consumer_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();

    // Ratings from reviews and ticket surveys: (sum, count) per customer.
    let mut ratings: HashMap<i64, (i64, i64)> = HashMap::new();
    let review_sums: Vec<(i64, Option<i64>, i64)> = reviews::table
        .filter(reviews::partner_id.eq(partner_id))
        .filter(reviews::created_at.le(at))
        .group_by(reviews::consumer_id)
        .select((reviews::consumer_id, sum(reviews::rating), count_star()))
        .load(conn)?;
    let ticket_sums: Vec<(i64, Option<i64>, i64)> = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .filter(tickets::satisfaction_rating.is_not_null())
        .filter(tickets::created_at.le(at))
        .group_by(tickets::requester_id)
        .select((
            tickets::requester_id,
            sum(tickets::satisfaction_rating),
            count_star(),
        ))
        .load(conn)?;
    for (id, s, n) in review_sums.into_iter().chain(ticket_sums) {
        let e = ratings.entry(id).or_insert((0, 0));
        e.0 += s.unwrap_or(0);
        e.1 += n;
    }

    Ok(ids
        .iter()
        .map(|id| {
            let (last, first) = match spans.get(id).copied() {
                Some((Some(last), Some(first))) => (last, first),
                _ if only_known => return None,
                _ => (at, at),
            };
            let satisfaction = ratings
                .get(id)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (s * 100 + n / 2) / n);
            Some((
                last,
                first,
                Inputs {
                    frequency: recent.get(id).copied().unwrap_or(0),
                    satisfaction,
                    ..blank(last, first, at)
                },
            ))
        })
        .collect())
}

/// Inserts the partner's run row, or locks it when it exists.
fn claim_run(conn: &mut AnyConnection, partner_id: i64, now: PrimitiveDateTime) -> QueryResult<()> {
    let sql = "INSERT INTO customer_score_runs \
               (partner_id, computed_at, seen_after, seen_count, customers) \
               VALUES ($1, $2, $2, 0, 0) \
               ON CONFLICT (partner_id) DO UPDATE SET customers = customer_score_runs.customers";
    match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql)
            .bind::<BigInt, _>(partner_id)
            .bind::<Timestamp, _>(now)
            .execute(c)
            .map(|_| ()),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1").replace("$2", "?2"))
            .bind::<BigInt, _>(partner_id)
            .bind::<Timestamp, _>(now)
            .execute(c)
            .map(|_| ()),
    }
}

/// Partners whose scores are due, oldest first: never computed though
/// they have activity, activity the last computation did not see, or a
/// computation older than `RECOMPUTE_AFTER`.
pub fn due(conn: &mut AnyConnection, max: i64) -> QueryResult<Vec<i64>> {
    use crate::schema::partners;
    let mut ids: Vec<i64> = partners::table
        .filter(diesel::dsl::not(exists(
            customer_score_runs::table.filter(customer_score_runs::partner_id.eq(partners::id)),
        )))
        .filter(exists(
            activities::table.filter(activities::partner_id.eq(partners::id.nullable())),
        ))
        .order(partners::id.asc())
        .limit(max)
        .select(partners::id)
        .load(conn)?;
    let left = max - ids.len() as i64;
    if left > 0 {
        let stale = super::now() - RECOMPUTE_AFTER;
        ids.extend(
            customer_score_runs::table
                .filter(
                    diesel::dsl::sql::<Bool>("(customer_score_runs.computed_at < ")
                        .bind::<Timestamp, _>(stale)
                        .sql(
                            " OR (SELECT COUNT(*) FROM activities a \
                             WHERE a.partner_id = customer_score_runs.partner_id \
                             AND a.created_at > customer_score_runs.seen_after) \
                             > customer_score_runs.seen_count)",
                        ),
                )
                .order(customer_score_runs::computed_at.asc())
                .limit(left)
                .select(customer_score_runs::partner_id)
                .load::<i64>(conn)?,
        );
    }
    Ok(ids)
}

/// Refreshes up to `max` partners that are due (see `due`); what the
/// maintenance loop calls every minute. Returns how many were refreshed.
pub fn refresh_due(conn: &mut AnyConnection, max: i64) -> QueryResult<usize> {
    let mut done = 0;
    for partner_id in due(conn, max)? {
        match refresh_scores(conn, partner_id) {
            Ok(_) => done += 1,
            Err(e) => tracing::warn!(partner_id, error = %e, "customer scores refresh failed"),
        }
    }
    Ok(done)
}

#[derive(Debug, Clone)]
pub struct Note {
    pub body: String,
    pub author: Option<String>,
    pub created_at: PrimitiveDateTime,
}

/// The newest notes on a customer (at most `NOTES_SHOWN`).
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
        .at_most(NOTES_SHOWN)
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

/// Tags the partner uses, for the filter (the first `TAGS_OFFERED`).
pub fn tags_in_use(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<String>> {
    crm_tags::table
        .filter(crm_tags::partner_id.eq(partner_id))
        .select(crm_tags::tag)
        .distinct()
        .order(crm_tags::tag.asc())
        .at_most(TAGS_OFFERED)
        .load(conn)
}

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub listing: Option<String>,
    pub at: PrimitiveDateTime,
}

/// What happened between the customer and this partner, newest first, one
/// page at a time (seeking on the activity id).
pub fn timeline(
    conn: &mut AnyConnection,
    partner_id: i64,
    consumer_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<TimelineEntry>> {
    use crate::schema::listings;
    let mut q = activities::table
        .left_join(listings::table.on(listings::id.nullable().eq(activities::listing_id)))
        .filter(activities::partner_id.eq(partner_id))
        .filter(activities::consumer_id.eq(consumer_id))
        .into_boxed();
    if let Some((_, id)) = req.after() {
        q = q.filter(activities::id.lt(id));
    }
    let rows: Vec<(i64, String, String, Option<String>, PrimitiveDateTime)> = q
        .order(activities::id.desc())
        .select((
            activities::id,
            activities::kind,
            activities::detail,
            listings::title.nullable(),
            activities::created_at,
        ))
        .page_of(req)
        .load(conn)?;
    let entries = rows
        .into_iter()
        .map(|(id, kind, detail, listing, at)| TimelineEntry {
            id,
            kind,
            detail,
            listing,
            at,
        })
        .collect();
    Ok(req.finish(entries, |e| (e.id, e.id)))
}
