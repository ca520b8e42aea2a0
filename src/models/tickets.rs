//! Support tickets, their messages, the SLA settings and canned replies.

use crate::db::{LimitInText, PlannedPerRun};
use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::db::capped::count_capped;
use crate::domain::sla::{self, BusinessHours, SlaState};
use crate::domain::ticket::{Priority, Status};
use crate::domain::zone::Zone;
use crate::schema::{
    business_hours, canned_replies, partners, sla_policies, ticket_mail_ids, ticket_messages,
    tickets, users,
};
use crate::web::paging::{self, Page, PageRequest};

pub const FIRST_NUMBER: i64 = 1001;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: i64,
    pub number: i64,
    pub requester_id: i64,
    pub partner_id: Option<i64>,
    pub listing_id: Option<i64>,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub first_response_due: Option<PrimitiveDateTime>,
    pub resolution_due: Option<PrimitiveDateTime>,
    pub first_response_at: Option<PrimitiveDateTime>,
    pub resolved_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub paused_since: Option<PrimitiveDateTime>,
    pub paused_minutes: i32,
    pub satisfaction_rating: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub satisfaction_at: Option<PrimitiveDateTime>,
    pub last_activity_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// The database's own `next_due` as an index key (migration 000008).
    pub queue_key: Option<i64>,
    /// The number of the closed ticket this one follows up (opened by a
    /// reply to it by email).
    pub follow_up_of: Option<i64>,
}

/// A target due within this is "breaching".
pub const DUE_SOON: time::Duration = time::Duration::hours(1);

/// Paused clocks sort after every due time (`NO_CLOCK_KEY - number`).
pub const NO_CLOCK_KEY: i64 = 1 << 61;

/// How long resolved tickets stay in the desk's "recently resolved".
pub const RECENTLY_RESOLVED: time::Duration = time::Duration::days(7);

impl Ticket {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Open)
    }
    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or(Priority::Normal)
    }
    pub fn status_key(&self) -> &'static str {
        self.status().label_key()
    }
    pub fn priority_key(&self) -> &'static str {
        self.priority().label_key()
    }
    pub fn is_closed(&self) -> bool {
        self.status() == Status::Closed
    }
    pub fn first_response_state(&self, now: PrimitiveDateTime) -> Option<SlaState> {
        sla::state(
            self.first_response_due,
            self.first_response_at,
            self.paused_since.is_some(),
            now,
        )
    }
    pub fn resolution_state(&self, now: PrimitiveDateTime) -> Option<SlaState> {
        sla::state(
            self.resolution_due,
            self.resolved_at,
            self.paused_since.is_some(),
            now,
        )
    }
    /// The next target still running: what queues sort by.
    pub fn next_due(&self) -> Option<PrimitiveDateTime> {
        if !self.status().is_active() || self.paused_since.is_some() {
            return None;
        }
        match self.first_response_at {
            None => self.first_response_due,
            Some(_) => self.resolution_due,
        }
    }
    /// Due within the hour or overdue, on a target not yet met.
    pub fn breaching(&self, now: PrimitiveDateTime) -> bool {
        self.next_due().is_some_and(|due| due - now <= DUE_SOON)
    }
    pub fn subject_line(&self) -> String {
        format!("[#{}] {}", self.number, self.subject)
    }
}

/// Targets per priority and the business hours they are counted in.
#[derive(Debug, Clone)]
pub struct SlaConfig {
    pub hours: BusinessHours,
    pub schedule: String,
    pub targets: HashMap<&'static str, (i64, i64)>,
}

impl SlaConfig {
    pub fn targets(&self, p: Priority) -> (i64, i64) {
        self.targets
            .get(p.as_str())
            .copied()
            .unwrap_or_else(|| p.default_targets())
    }
}

pub fn sla_config(conn: &mut AnyConnection) -> QueryResult<SlaConfig> {
    let rows: Vec<(String, i32, i32)> = sla_policies::table
        .select((
            sla_policies::priority,
            sla_policies::first_response_minutes,
            sla_policies::resolution_minutes,
        ))
        .load(conn)?;
    let mut targets = HashMap::new();
    for p in Priority::ALL {
        let t = rows
            .iter()
            .find(|r| r.0 == p.as_str())
            .map(|r| (r.1 as i64, r.2 as i64))
            .unwrap_or_else(|| p.default_targets());
        targets.insert(p.as_str(), t);
    }
    let (offset_minutes, zone, schedule): (i32, Option<String>, String) = business_hours::table
        .find(1)
        .select((
            business_hours::utc_offset_minutes,
            business_hours::time_zone,
            business_hours::schedule,
        ))
        .first(conn)
        .optional()?
        .unwrap_or((0, None, "24x7".to_string()));
    // Hours saved before they had a zone keep their fixed offset.
    let zone = zone
        .as_deref()
        .and_then(Zone::parse)
        .unwrap_or_else(|| Zone::fixed(offset_minutes));
    let hours = sla::parse_schedule(&schedule, zone).unwrap_or_else(|_| BusinessHours::always());
    Ok(SlaConfig {
        hours,
        schedule,
        targets,
    })
}

pub fn save_sla(
    conn: &mut AnyConnection,
    targets: &[(Priority, i64, i64)],
    zone: &Zone,
    schedule: &str,
) -> QueryResult<()> {
    for (p, first, resolution) in targets {
        diesel::update(sla_policies::table.find(p.as_str()))
            .set((
                sla_policies::first_response_minutes.eq(*first as i32),
                sla_policies::resolution_minutes.eq(*resolution as i32),
            ))
            .execute(conn)?;
    }
    diesel::update(business_hours::table.find(1))
        .set((
            business_hours::time_zone.eq(zone.name()),
            business_hours::schedule.eq(schedule),
        ))
        .execute(conn)?;
    Ok(())
}

fn next_number(conn: &mut AnyConnection) -> QueryResult<i64> {
    if let AnyConnection::Postgres(pg) = conn {
        // Serialise numbering between concurrent transactions.
        diesel::sql_query("SELECT pg_advisory_xact_lock(72001)").execute(pg)?;
    }
    let max: Option<i64> = tickets::table
        .select(diesel::dsl::max(tickets::number))
        .first(conn)?;
    Ok(max.map_or(FIRST_NUMBER, |m| m + 1))
}

pub struct NewTicket<'a> {
    pub requester_id: i64,
    pub partner_id: Option<i64>,
    pub listing_id: Option<i64>,
    pub subject: &'a str,
    pub body: &'a str,
    pub priority: Priority,
}

/// Opens a ticket with its first message. Run in a write transaction.
pub fn create(conn: &mut AnyConnection, new: &NewTicket, cfg: &SlaConfig) -> QueryResult<Ticket> {
    let now = super::now();
    let number = next_number(conn)?;
    let (first, resolution) = cfg.targets(new.priority);
    let id: i64 = diesel::insert_into(tickets::table)
        .values((
            tickets::number.eq(number),
            tickets::requester_id.eq(new.requester_id),
            tickets::partner_id.eq(new.partner_id),
            tickets::listing_id.eq(new.listing_id),
            tickets::subject.eq(new.subject),
            tickets::status.eq(Status::New.as_str()),
            tickets::priority.eq(new.priority.as_str()),
            tickets::first_response_due.eq(Some(sla::due_at(&cfg.hours, now, first, 0))),
            tickets::resolution_due.eq(Some(sla::due_at(&cfg.hours, now, resolution, 0))),
            tickets::paused_minutes.eq(0),
            tickets::last_activity_at.eq(now),
            tickets::created_at.eq(now),
            tickets::updated_at.eq(now),
        ))
        .returning(tickets::id)
        .get_result(conn)?;
    insert_message(
        conn,
        id,
        Some(new.requester_id),
        Author::REQUESTER,
        None,
        new.body,
        false,
        now,
    )?;
    super::engagements::record_activity(
        conn,
        new.requester_id,
        new.partner_id,
        new.listing_id,
        "ticket_opened",
        &format!("#{number}"),
    )?;
    let t = by_id(conn, id)?;
    crate::webhooks::events::ticket_created(conn, &t, new.body)?;
    Ok(t)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Ticket> {
    tickets::table
        .find(id)
        .select(Ticket::as_select())
        .first(conn)
}

/// The ticket as it is now, locked until the write transaction ends.
/// Every change reads the ticket through this inside its transaction, so
/// it works on the status another request may have changed a moment ago
/// (a double submit, a reply racing a close), never on a copy read before.
/// PostgreSQL locks the row; SQLite's `BEGIN IMMEDIATE` already runs
/// writers one at a time.
pub fn locked(conn: &mut AnyConnection, id: i64) -> QueryResult<Ticket> {
    crate::db::lock_row(conn, "tickets", id)?;
    by_id(conn, id)
}

pub fn by_number(conn: &mut AnyConnection, number: i64) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::number.eq(number))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// Who wrote a message.
pub struct Author;

impl Author {
    pub const REQUESTER: &'static str = "requester";
    pub const STAFF: &'static str = "staff";
    pub const PARTNER: &'static str = "partner";
}

#[allow(clippy::too_many_arguments)]
fn insert_message(
    conn: &mut AnyConnection,
    ticket_id: i64,
    author_id: Option<i64>,
    kind: &str,
    partner_id: Option<i64>,
    body: &str,
    internal: bool,
    now: PrimitiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(ticket_messages::table)
        .values((
            ticket_messages::ticket_id.eq(ticket_id),
            ticket_messages::author_id.eq(author_id),
            ticket_messages::author_kind.eq(kind),
            ticket_messages::partner_id.eq(partner_id),
            ticket_messages::body.eq(body),
            ticket_messages::internal.eq(internal),
            ticket_messages::created_at.eq(now),
        ))
        .returning(ticket_messages::id)
        .get_result(conn)
}

#[derive(Debug, Clone)]
pub struct MessageView {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_kind: String,
    pub author_name: String,
    pub partner_name: Option<String>,
    pub body: String,
    pub internal: bool,
    pub created_at: PrimitiveDateTime,
    /// It came by email (`Some`), found its ticket this way (`None`
    /// inside: it opened the ticket).
    pub by_email: Option<Option<String>>,
    /// The received email it came in.
    pub inbound_id: Option<i64>,
    /// Its files.
    pub attachments: Vec<crate::support::attachments::Attachment>,
}

impl MessageView {
    /// The catalogue key saying how an emailed message found its ticket.
    pub fn email_key(&self) -> Option<String> {
        self.by_email.as_ref().map(|m| match m {
            Some(how) => format!("ticket-by-email-{}", how.replace('_', "-")),
            None => "ticket-by-email-opened".to_string(),
        })
    }
}

type MessageRow = (
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    String,
    bool,
    PrimitiveDateTime,
    Option<i64>,
    Option<String>,
    bool,
);

/// The thread, oldest first; internal notes only when asked for. Each row
/// says whether its message has files, so a thread without any (most of
/// them) is read in one statement.
pub fn messages(
    conn: &mut AnyConnection,
    ticket_id: i64,
    with_internal: bool,
) -> QueryResult<Vec<MessageView>> {
    let mut q = ticket_messages::table
        .left_join(users::table.on(users::id.nullable().eq(ticket_messages::author_id)))
        .left_join(partners::table.on(partners::id.nullable().eq(ticket_messages::partner_id)))
        .filter(ticket_messages::ticket_id.eq(ticket_id))
        .into_boxed();
    if !with_internal {
        q = q.filter(ticket_messages::internal.eq(false));
    }
    let rows: Vec<MessageRow> = q
        .order(ticket_messages::id.asc())
        .select((
            ticket_messages::id,
            ticket_messages::author_id,
            ticket_messages::author_kind,
            users::display_name.nullable(),
            partners::name.nullable(),
            ticket_messages::body,
            ticket_messages::internal,
            ticket_messages::created_at,
            ticket_messages::inbound_id,
            ticket_messages::matched_by,
            diesel::dsl::exists(
                crate::schema::attachments::table
                    .filter(crate::schema::attachments::message_id.eq(ticket_messages::id)),
            ),
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter(|r| r.10).map(|r| r.0).collect();
    let mut files = crate::support::attachments::of_messages(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| MessageView {
            attachments: files.remove(&r.0).unwrap_or_default(),
            id: r.0,
            author_id: r.1,
            author_kind: r.2,
            author_name: r.3.unwrap_or_default(),
            partner_name: r.4,
            body: r.5,
            internal: r.6,
            created_at: r.7,
            by_email: r.8.map(|_| r.9.clone()),
            inbound_id: r.8,
        })
        .collect())
}

/// Due times from the ticket's start, its priority and the paused time.
fn dues(
    t: &Ticket,
    priority: Priority,
    paused: i64,
    cfg: &SlaConfig,
) -> (PrimitiveDateTime, PrimitiveDateTime) {
    let (first, resolution) = cfg.targets(priority);
    (
        sla::due_at(&cfg.hours, t.created_at, first, paused),
        sla::due_at(&cfg.hours, t.created_at, resolution, paused),
    )
}

/// Writes a new status with everything that follows from it: the pause of
/// the SLA clock, resolved and closed times.
fn apply_status(
    conn: &mut AnyConnection,
    t: &Ticket,
    to: Status,
    cfg: &SlaConfig,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let mut paused = t.paused_minutes as i64;
    let mut paused_since = t.paused_since;
    if let Some(since) = t.paused_since
        && !to.pauses_clock()
    {
        paused += cfg.hours.minutes_between(since, now);
        paused_since = None;
    }
    if to.pauses_clock() && paused_since.is_none() {
        paused_since = Some(now);
    }
    let (first_due, resolution_due) = dues(t, t.priority(), paused, cfg);
    let resolved_at = match to {
        Status::Resolved | Status::Closed => t.resolved_at.or(Some(now)),
        _ => None,
    };
    let closed_at = (to == Status::Closed).then_some(now);
    crate::webhooks::events::ticket_status_changed(conn, t, to.as_str())?;
    diesel::update(tickets::table.find(t.id))
        .set((
            tickets::status.eq(to.as_str()),
            tickets::paused_minutes.eq(paused as i32),
            tickets::paused_since.eq(paused_since),
            tickets::first_response_due.eq(Some(first_due)),
            tickets::resolution_due.eq(Some(resolution_due)),
            tickets::resolved_at.eq(resolved_at),
            tickets::closed_at.eq(closed_at),
            tickets::updated_at.eq(now),
            tickets::last_activity_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the ticket by hand; `false` when the move is not allowed.
pub fn change_status(
    conn: &mut AnyConnection,
    t: &Ticket,
    to: Status,
    cfg: &SlaConfig,
) -> QueryResult<bool> {
    if !t.status().can_move_to(to) {
        return Ok(false);
    }
    apply_status(conn, t, to, cfg, super::now())?;
    Ok(true)
}

pub enum Writer {
    Requester(i64),
    Staff(i64),
    Partner(i64, i64),
}

/// Adds a reply or an internal note. Public replies move the status
/// (reopen on the requester's reply) and the first one by staff or partner
/// stops the first-response clock. Returns the message id, or `None` for a
/// public reply to a closed ticket.
pub fn reply(
    conn: &mut AnyConnection,
    t: &Ticket,
    writer: &Writer,
    body: &str,
    internal: bool,
    cfg: &SlaConfig,
) -> QueryResult<Option<i64>> {
    let now = super::now();
    let by_requester = matches!(writer, Writer::Requester(_));
    // Internal notes may be added at any time, a closed ticket included;
    // public replies follow the status machine.
    let next = t.status().after_reply(by_requester);
    if next.is_none() && !internal {
        return Ok(None);
    }
    let (author, kind, partner) = match writer {
        Writer::Requester(id) => (*id, Author::REQUESTER, None),
        Writer::Staff(id) => (*id, Author::STAFF, None),
        Writer::Partner(id, p) => (*id, Author::PARTNER, Some(*p)),
    };
    let id = insert_message(conn, t.id, Some(author), kind, partner, body, internal, now)?;
    if !internal {
        crate::webhooks::events::ticket_message_created(conn, t, id)?;
    }
    if internal {
        diesel::update(tickets::table.find(t.id))
            .set(tickets::updated_at.eq(now))
            .execute(conn)?;
        return Ok(Some(id));
    }
    if !by_requester && t.first_response_at.is_none() {
        diesel::update(tickets::table.find(t.id))
            .set(tickets::first_response_at.eq(Some(now)))
            .execute(conn)?;
    }
    let next = next.unwrap_or(t.status());
    if next != t.status() {
        apply_status(conn, t, next, cfg, now)?;
    } else {
        diesel::update(tickets::table.find(t.id))
            .set((
                tickets::updated_at.eq(now),
                tickets::last_activity_at.eq(now),
            ))
            .execute(conn)?;
    }
    let kind = if by_requester {
        "ticket_replied"
    } else {
        "ticket_answered"
    };
    super::engagements::record_activity(
        conn,
        t.requester_id,
        t.partner_id,
        t.listing_id,
        kind,
        &format!("#{}", t.number),
    )?;
    Ok(Some(id))
}

pub fn set_priority(
    conn: &mut AnyConnection,
    t: &Ticket,
    p: Priority,
    cfg: &SlaConfig,
) -> QueryResult<()> {
    // A pause in progress is added when it ends, like any other.
    let (first_due, resolution_due) = dues(t, p, t.paused_minutes as i64, cfg);
    diesel::update(tickets::table.find(t.id))
        .set((
            tickets::priority.eq(p.as_str()),
            tickets::first_response_due.eq(Some(first_due)),
            tickets::resolution_due.eq(Some(resolution_due)),
            tickets::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn assign(conn: &mut AnyConnection, t: &Ticket, assignee: Option<i64>) -> QueryResult<()> {
    diesel::update(tickets::table.find(t.id))
        .set((
            tickets::assignee_id.eq(assignee),
            tickets::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Keeps the Message-ID of an email about the ticket (sent or received),
/// so that a reply's In-Reply-To or References finds it.
pub fn remember_mail_id(
    conn: &mut AnyConnection,
    ticket_id: i64,
    message_id: &str,
) -> QueryResult<()> {
    let insert = diesel::insert_into(ticket_mail_ids::table)
        .values((
            ticket_mail_ids::message_id.eq(message_id),
            ticket_mail_ids::ticket_id.eq(ticket_id),
        ))
        .on_conflict_do_nothing();
    match conn {
        AnyConnection::Postgres(c) => insert.execute(c)?,
        AnyConnection::Sqlite(c) => insert.execute(c)?,
    };
    Ok(())
}

/// The ticket the first of these Message-IDs belongs to.
pub fn by_mail_ids(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Option<Ticket>> {
    for id in ids {
        let found: Option<i64> = ticket_mail_ids::table
            .find(id)
            .select(ticket_mail_ids::ticket_id)
            .first(conn)
            .optional()?;
        if let Some(tid) = found {
            return by_id(conn, tid).optional();
        }
    }
    Ok(None)
}

/// The original of an email received for this ticket, as it came.
pub fn original_mail(
    conn: &mut AnyConnection,
    ticket_id: i64,
    inbound_id: i64,
) -> QueryResult<Option<String>> {
    crate::schema::inbound_mail::table
        .filter(crate::schema::inbound_mail::id.eq(inbound_id))
        .filter(crate::schema::inbound_mail::ticket_id.eq(ticket_id))
        .select(crate::schema::inbound_mail::raw)
        .first(conn)
        .optional()
}

/// Newest message id on the ticket (with notes when asked).
pub fn last_message_id(
    conn: &mut AnyConnection,
    ticket_id: i64,
    with_internal: bool,
) -> QueryResult<i64> {
    let mut q = ticket_messages::table
        .filter(ticket_messages::ticket_id.eq(ticket_id))
        .into_boxed();
    if !with_internal {
        q = q.filter(ticket_messages::internal.eq(false));
    }
    Ok(q.select(diesel::dsl::max(ticket_messages::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// A row of a ticket list, with the people and partner named.
#[derive(Debug, Clone)]
pub struct Row {
    pub ticket: Ticket,
    pub requester_name: String,
    pub requester_email: String,
    pub assignee_name: Option<String>,
    pub partner_name: Option<String>,
}

/// The names a page of tickets shows, looked up for that page only.
struct Names {
    people: HashMap<i64, (String, String)>,
    partners: HashMap<i64, String>,
}

impl Names {
    fn of(conn: &mut AnyConnection, list: &[Ticket]) -> QueryResult<Names> {
        let mut ids: Vec<i64> = list.iter().map(|t| t.requester_id).collect();
        ids.extend(list.iter().filter_map(|t| t.assignee_id));
        ids.sort_unstable();
        ids.dedup();
        let people = users::table
            .filter(conn.in_ids("users.id", &ids))
            .select((users::id, users::display_name, users::email))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, n, e)| (id, (n, e)))
            .collect();
        let mut pids: Vec<i64> = list.iter().filter_map(|t| t.partner_id).collect();
        pids.sort_unstable();
        pids.dedup();
        let partners = partners::table
            .filter(conn.in_ids("partners.id", &pids))
            .select((partners::id, partners::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
        Ok(Names { people, partners })
    }

    fn row(&self, t: Ticket) -> Row {
        let (requester_name, requester_email) = self
            .people
            .get(&t.requester_id)
            .cloned()
            .unwrap_or_default();
        Row {
            requester_name,
            requester_email,
            assignee_name: t
                .assignee_id
                .and_then(|a| self.people.get(&a).map(|p| p.0.clone())),
            partner_name: t.partner_id.and_then(|p| self.partners.get(&p).cloned()),
            ticket: t,
        }
    }
}

fn named(conn: &mut AnyConnection, page: Page<Ticket>) -> QueryResult<Page<Row>> {
    let names = Names::of(conn, &page.items)?;
    Ok(page.map(|t| names.row(t)))
}

type Db = <AnyConnection as diesel::Connection>::Backend;
type Boxed = tickets::BoxedQuery<'static, Db>;

diesel::define_sql_function! {
    /// Lower case on both backends, for searches that ignore case.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Every ticket of the requester, newest first: for the data export.
pub fn of_requester(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<Ticket>> {
    tickets::table
        .filter(tickets::requester_id.eq(user_id))
        .order(tickets::id.desc())
        .select(Ticket::as_select())
        .load(conn)
}

/// Newest first, by id (the key is the id too).
fn newest_page(
    conn: &mut AnyConnection,
    mut q: Boxed,
    req: &PageRequest,
) -> QueryResult<Page<Ticket>> {
    if let Some((_, id)) = req.after() {
        q = q.filter(tickets::id.lt(id));
    }
    let list = q
        .order(tickets::id.desc())
        .select(Ticket::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |t| (t.id, t.id)))
}

/// One page of the requester's tickets, newest first.
pub fn requester_page(
    conn: &mut AnyConnection,
    user_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Ticket>> {
    let q = tickets::table
        .filter(tickets::requester_id.eq(user_id))
        .into_boxed();
    newest_page(conn, q, req)
}

/// One page of the tickets about the partner, newest first.
pub fn partner_page(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Ticket>> {
    let q = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .into_boxed();
    newest_page(conn, q, req)
}

/// A requester's name and email address, as a partner may see them.
pub type Contact = (String, String);

/// What a partner may know of a ticket's requester: their name and email
/// address while their consent to the partner stands, otherwise nothing
/// (the partner's pages then say "a consumer" and the ticket number).
pub fn requester_for_partner(
    conn: &mut AnyConnection,
    partner_id: i64,
    requester_id: i64,
) -> QueryResult<Option<Contact>> {
    if !super::consents::stands(conn, partner_id, requester_id)? {
        return Ok(None);
    }
    users::table
        .find(requester_id)
        .select((users::display_name, users::email))
        .first(conn)
        .optional()
}

/// One page of the tickets about the partner, newest first, each with its
/// requester's name and email address where their consent stands.
pub fn partner_rows(
    conn: &mut AnyConnection,
    partner_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<(Ticket, Option<Contact>)>> {
    let page = partner_page(conn, partner_id, req)?;
    let mut ids: Vec<i64> = page.items.iter().map(|t| t.requester_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // Only requesters whose consent stands, checked in the same read.
    let people: HashMap<i64, Contact> = users::table
        .filter(conn.in_ids("users.id", &ids))
        .filter(super::consents::stands_on_row(
            partner_id,
            super::consents::RowOf::Users,
        ))
        .select((users::id, users::display_name, users::email))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, e)| (id, (n, e)))
        .collect();
    Ok(page.map(|t| {
        let who = people.get(&t.requester_id).cloned();
        (t, who)
    }))
}

/// The public thread as the partner sees it: the requester's messages are
/// signed `anonymous` unless their consent to the partner stands.
pub fn messages_for_partner(
    conn: &mut AnyConnection,
    t: &Ticket,
    partner_id: i64,
    anonymous: &str,
) -> QueryResult<Vec<MessageView>> {
    let shares = super::consents::stands(conn, partner_id, t.requester_id)?;
    let mut thread = messages(conn, t.id, false)?;
    if !shares {
        for m in thread
            .iter_mut()
            .filter(|m| m.author_kind == Author::REQUESTER || m.author_id == Some(t.requester_id))
        {
            m.author_name = anonymous.to_string();
        }
    }
    Ok(thread)
}

/// The desk's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Unassigned,
    Mine,
    Open,
    Waiting,
    Breaching,
    Resolved,
}

impl Queue {
    pub const ALL: [Queue; 6] = [
        Queue::Unassigned,
        Queue::Mine,
        Queue::Open,
        Queue::Waiting,
        Queue::Breaching,
        Queue::Resolved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Queue::Unassigned => "unassigned",
            Queue::Mine => "mine",
            Queue::Open => "open",
            Queue::Waiting => "waiting",
            Queue::Breaching => "breaching",
            Queue::Resolved => "resolved",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Queue::Unassigned => "queue-unassigned",
            Queue::Mine => "queue-mine",
            Queue::Open => "queue-open",
            Queue::Waiting => "queue-waiting",
            Queue::Breaching => "queue-breaching",
            Queue::Resolved => "queue-resolved",
        }
    }

    /// Unknown codes mean "all open".
    pub fn parse(s: &str) -> Queue {
        Queue::ALL
            .into_iter()
            .find(|q| q.code() == s)
            .unwrap_or(Queue::Open)
    }

    /// The active queues go by SLA order (`queue_key`); recently resolved
    /// by resolution time, newest first.
    fn by_resolution(self) -> bool {
        self == Queue::Resolved
    }

    /// The queue as a WHERE clause each index of migration 000008 answers.
    fn filter(self, q: Boxed, me: i64, now: PrimitiveDateTime) -> Boxed {
        match self {
            Queue::Unassigned => q.filter(tickets::assignee_id.is_null()).filter(is_active()),
            Queue::Mine => q.filter(tickets::assignee_id.eq(me)).filter(is_active()),
            Queue::Open => q.filter(is_active()),
            Queue::Waiting => q
                .filter(tickets::status.eq(Status::Pending.as_str()))
                .filter(is_active()),
            Queue::Breaching => q.filter(tickets::queue_key.le(breaching_key(now))),
            Queue::Resolved => q.filter(tickets::resolved_at.ge(now - RECENTLY_RESOLVED)),
        }
    }
}

/// Active tickets: those with a `queue_key`, every one of which is
/// positive. Said as a range rather than `IS NOT NULL`, which SQLite's
/// planner takes for most of the table and answers with a full scan when no
/// ORDER BY asks for the index (the capped counts).
fn is_active() -> diesel::dsl::GtEq<tickets::queue_key, i64> {
    tickets::queue_key.ge(0)
}

/// The `queue_key` at or below which a running target is due within
/// `DUE_SOON` or overdue: what `Ticket::breaching` says, as an index range.
pub fn breaching_key(now: PrimitiveDateTime) -> i64 {
    paging::time_key(now + DUE_SOON)
}

/// The metrics' SLA figures, each counted in full (not capped) over
/// `tickets_queue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaBreaches {
    /// Active tickets whose running target is past due and not met.
    pub open: i64,
    /// What the desk's "breaching" queue holds: overdue, or due within
    /// `DUE_SOON`.
    pub at_risk: i64,
}

pub fn sla_breaches(conn: &mut AnyConnection, now: PrimitiveDateTime) -> QueryResult<SlaBreaches> {
    let open = tickets::table
        .filter(tickets::queue_key.le(paging::time_key(now)))
        .count()
        .get_result(conn)?;
    let at_risk = Queue::Breaching
        .filter(tickets::table.into_boxed(), 0, now)
        .count()
        .get_result(conn)?;
    Ok(SlaBreaches { open, at_risk })
}

/// The desk's search box: a ticket number (with or without `#`), or words
/// of the subject or the requester's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Everything,
    Number(i64),
    /// Lower-cased.
    Text(String),
}

impl Search {
    pub fn parse(q: &str) -> Search {
        let q = q.trim();
        if q.is_empty() {
            return Search::Everything;
        }
        match q.trim_start_matches('#').parse::<i64>() {
            Ok(n) => Search::Number(n),
            Err(_) => Search::Text(q.to_lowercase()),
        }
    }
}

/// A queue with the filters and search of the desk's form.
#[derive(Debug, Clone)]
pub struct DeskFilter {
    pub queue: Queue,
    pub me: i64,
    pub now: PrimitiveDateTime,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub partner: Option<i64>,
    pub assignee: Option<i64>,
    pub search: Search,
}

impl DeskFilter {
    pub fn new(queue: Queue, me: i64, now: PrimitiveDateTime) -> DeskFilter {
        DeskFilter {
            queue,
            me,
            now,
            status: None,
            priority: None,
            partner: None,
            assignee: None,
            search: Search::Everything,
        }
    }

    /// Whether anything narrows the queue.
    pub fn narrows(&self) -> bool {
        self.status.is_some()
            || self.priority.is_some()
            || self.partner.is_some()
            || self.assignee.is_some()
            || self.search != Search::Everything
    }

    fn query(&self) -> Boxed {
        let mut q = self
            .queue
            .filter(tickets::table.into_boxed(), self.me, self.now);
        if let Some(s) = self.status {
            q = q.filter(tickets::status.eq(s.as_str()));
        }
        if let Some(p) = self.priority {
            q = q.filter(tickets::priority.eq(p.as_str()));
        }
        if let Some(p) = self.partner {
            q = q.filter(tickets::partner_id.eq(p));
        }
        if let Some(a) = self.assignee {
            q = q.filter(tickets::assignee_id.eq(a));
        }
        match &self.search {
            Search::Everything => {}
            Search::Number(n) => q = q.filter(tickets::number.eq(*n)),
            Search::Text(words) => {
                let pattern = format!("%{}%", crate::db::like_escape(words));
                let by_email = users::table
                    .filter(users::id.eq(tickets::requester_id))
                    .filter(users::email.like(pattern.clone()).escape('\\'));
                q = q.filter(
                    lower(tickets::subject)
                        .like(pattern)
                        .escape('\\')
                        .or(diesel::dsl::exists(by_email)),
                );
            }
        }
        q
    }
}

/// One page of a desk queue, filtered and searched, in the queue's order.
pub fn desk_page(
    conn: &mut AnyConnection,
    f: &DeskFilter,
    req: &PageRequest,
) -> QueryResult<Page<Row>> {
    let mut q = f.query();
    let resolved = f.queue.by_resolution();
    if resolved {
        if let Some((k, id)) = req.after() {
            let at = paging::key_time(k);
            q = q.filter(
                tickets::resolved_at
                    .le(at)
                    .and(tickets::resolved_at.lt(at).or(tickets::id.lt(id))),
            );
        }
        q = q.order((tickets::resolved_at.desc(), tickets::id.desc()));
    } else {
        if let Some((k, id)) = req.after() {
            q = q.filter(
                tickets::queue_key
                    .ge(k)
                    .and(tickets::queue_key.gt(k).or(tickets::id.gt(id))),
            );
        }
        q = q.order((tickets::queue_key.asc(), tickets::id.asc()));
    }
    let q = q.select(Ticket::as_select()).page_of(req);
    // A queue as it is reads the same index range whatever the values, so
    // its plan may be kept; filters and searches make shares too skewed
    // for one plan, and are planned for their values on every run.
    let list: Vec<Ticket> = if f.narrows() {
        q.planned_per_run().load(conn)?
    } else {
        q.load(conn)?
    };
    let page = req.finish(list, |t| {
        let key = if resolved {
            t.resolved_at.map(paging::time_key)
        } else {
            t.queue_key
        };
        (key.unwrap_or_default(), t.id)
    });
    named(conn, page)
}

/// How many tickets the filtered queue holds, counted no further than
/// `COUNT_CAP + 1`.
pub fn desk_count(conn: &mut AnyConnection, f: &DeskFilter) -> QueryResult<i64> {
    count_capped(conn, f.query().select(tickets::id).planned_per_run())
}

/// Every queue's size, each counted over its index and capped.
pub fn queue_counts(
    conn: &mut AnyConnection,
    me: i64,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<(Queue, i64)>> {
    Queue::ALL
        .into_iter()
        .map(|queue| {
            let q = queue
                .filter(tickets::table.into_boxed(), me, now)
                .select(tickets::id)
                .planned_per_run();
            Ok((queue, count_capped(conn, q)?))
        })
        .collect()
}

/// Partners with active tickets, by name, at most `limit` of them: the
/// desk's partner filter.
pub fn partners_with_active_tickets(
    conn: &mut AnyConnection,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    let active = tickets::table
        .filter(tickets::partner_id.eq(partners::id.nullable()))
        .filter(is_active());
    partners::table
        .filter(diesel::dsl::exists(active))
        .order((partners::name.asc(), partners::id.asc()))
        .select((partners::id, partners::name))
        .at_most(limit)
        .planned_per_run()
        .load(conn)
}

/// The requester's newest other tickets shown beside a ticket; the rest are
/// a link away.
pub const HISTORY_SHOWN: usize = 10;
/// At most this many of the requester's reviews and requests are shown
/// beside a ticket (a consumer's own rows: a handful, in practice); the
/// page says when there are more.
pub const CONTEXT_ROWS: usize = 100;

/// A ticket of the requester, as the desk lists it beside another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct HistoryLine {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: String,
}

impl HistoryLine {
    pub fn status_key(&self) -> &'static str {
        Status::parse(&self.status)
            .unwrap_or(Status::Open)
            .label_key()
    }
}

/// What the desk shows beside a ticket: its requester, the partner's name
/// and the listing's title and slug when it has them, and the requester's
/// other tickets, requests (with whether consent stands) and ratings.
pub struct Surroundings {
    pub requester: crate::models::users::User,
    pub partner_name: Option<String>,
    pub listing: Option<(String, String)>,
    /// The newest `HISTORY_SHOWN`; `more_history` when there are others.
    pub history: Vec<HistoryLine>,
    pub more_history: bool,
    pub engagements: Vec<super::consents::ConsentLine>,
    /// (rating, listing title), newest first.
    pub reviews: Vec<(i32, String)>,
    /// Whether the requester has more than `CONTEXT_ROWS` requests, and
    /// reviews.
    pub more_engagements: bool,
    pub more_reviews: bool,
}

/// The ticket's `Surroundings`; `None` when the requester is gone.
pub fn surroundings(conn: &mut AnyConnection, ticket_id: i64) -> QueryResult<Option<Surroundings>> {
    Ok(with_surroundings(conn, Which::Id(ticket_id))?.and_then(|(_, around)| around))
}

/// The ticket numbered `number` with its `Surroundings` (`None` when the
/// requester is gone), in one read: the desk's ticket page.
pub fn by_number_with_surroundings(
    conn: &mut AnyConnection,
    number: i64,
) -> QueryResult<Option<(Ticket, Option<Surroundings>)>> {
    with_surroundings(conn, Which::Number(number))
}

enum Which {
    Id(i64),
    Number(i64),
}

/// The requester's lists beside a ticket, each one column of JSON built
/// by the database from a bounded, indexed sub-select, so the page costs
/// one statement rather than one per list. Names refer to the outer
/// `tickets` row; inner tables carry a `_2` alias. (An aggregate's own
/// ORDER BY needs SQLite 3.44, which the bundled library is past.)
struct ContextColumns {
    history: String,
    engagements: String,
    reviews: String,
}

impl ContextColumns {
    fn new(postgres: bool) -> ContextColumns {
        let history = format!(
            "SELECT tickets_2.id AS id, tickets_2.number AS number, \
             tickets_2.subject AS subject, tickets_2.status AS status \
             FROM tickets tickets_2 WHERE tickets_2.requester_id = tickets.requester_id \
             AND tickets_2.id <> tickets.id ORDER BY tickets_2.id DESC LIMIT {}",
            HISTORY_SHOWN + 1
        );
        let engagements = format!(
            "SELECT partners_2.id AS id, partners_2.name AS name, partners_2.slug AS slug, \
             listings_2.title AS title, \
             CASE WHEN EXISTS (SELECT 1 FROM consents consents_2 \
               WHERE consents_2.consumer_id = engagements_2.consumer_id \
               AND consents_2.partner_id = engagements_2.partner_id \
               AND consents_2.given = TRUE) THEN 1 ELSE 0 END AS consent \
             FROM engagements engagements_2 \
             JOIN partners partners_2 ON partners_2.id = engagements_2.partner_id \
             JOIN listings listings_2 ON listings_2.id = engagements_2.listing_id \
             WHERE engagements_2.consumer_id = tickets.requester_id \
             ORDER BY partners_2.name, listings_2.title LIMIT {}",
            CONTEXT_ROWS + 1
        );
        let reviews = format!(
            "SELECT reviews_2.id AS id, reviews_2.rating AS rating, listings_2.title AS title \
             FROM reviews reviews_2 JOIN listings listings_2 ON listings_2.id = reviews_2.listing_id \
             WHERE reviews_2.consumer_id = tickets.requester_id \
             ORDER BY reviews_2.id DESC LIMIT {}",
            CONTEXT_ROWS + 1
        );
        let list = |items: &str, order: &str, from: &str| {
            if postgres {
                format!(
                    "(SELECT COALESCE(json_agg(json_build_array({items}) ORDER BY {order}), \
                     '[]'::json)::text FROM ({from}) x)"
                )
            } else {
                format!(
                    "(SELECT json_group_array(json_array({items}) ORDER BY {order}) FROM ({from}) x)"
                )
            }
        };
        ContextColumns {
            history: list("x.id, x.number, x.subject, x.status", "x.id DESC", &history),
            engagements: list(
                "x.id, x.name, x.slug, x.title, x.consent",
                "x.name, x.title",
                &engagements,
            ),
            reviews: list("x.rating, x.title", "x.id DESC", &reviews),
        }
    }

    fn of(conn: &AnyConnection) -> &'static ContextColumns {
        static SQLITE: std::sync::LazyLock<ContextColumns> =
            std::sync::LazyLock::new(|| ContextColumns::new(false));
        static POSTGRES: std::sync::LazyLock<ContextColumns> =
            std::sync::LazyLock::new(|| ContextColumns::new(true));
        if conn.is_postgres() {
            &POSTGRES
        } else {
            &SQLITE
        }
    }
}

/// A list column as the database built it (one row more than `shown`),
/// cut to `shown`, and whether there were more.
fn json_rows<T: serde::de::DeserializeOwned>(
    text: &str,
    shown: usize,
) -> QueryResult<(Vec<T>, bool)> {
    let mut rows: Vec<T> = serde_json::from_str(text)
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    let more = rows.len() > shown;
    rows.truncate(shown);
    Ok((rows, more))
}

fn with_surroundings(
    conn: &mut AnyConnection,
    which: Which,
) -> QueryResult<Option<(Ticket, Option<Surroundings>)>> {
    use crate::db::Fragment;
    use crate::models::users::User;
    use crate::schema::listings;
    use diesel::sql_types::Text;
    type Row = (
        Ticket,
        Option<User>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
    );
    let columns = ContextColumns::of(conn);
    let q = tickets::table
        .left_join(users::table.on(users::id.eq(tickets::requester_id)))
        .left_join(partners::table.on(partners::id.nullable().eq(tickets::partner_id)))
        .left_join(listings::table.on(listings::id.nullable().eq(tickets::listing_id)))
        .select((
            Ticket::as_select(),
            Option::<User>::as_select(),
            partners::name.nullable(),
            listings::title.nullable(),
            listings::slug.nullable(),
            Fragment::<Text>::new(&columns.history),
            Fragment::<Text>::new(&columns.engagements),
            Fragment::<Text>::new(&columns.reviews),
        ))
        .into_boxed();
    let q = match which {
        Which::Id(id) => q.filter(tickets::id.eq(id)),
        Which::Number(n) => q.filter(tickets::number.eq(n)),
    };
    let Some((t, user, partner, title, slug, history, engagements, reviews)) =
        q.first::<Row>(conn).optional()?
    else {
        return Ok(None);
    };
    let Some(requester) = user else {
        return Ok(Some((t, None)));
    };
    let (history, more_history) = json_rows::<HistoryLine>(&history, HISTORY_SHOWN)?;
    let (engagements, more_engagements) =
        json_rows::<(i64, String, String, String, i32)>(&engagements, CONTEXT_ROWS)?;
    let (reviews, more_reviews) = json_rows(&reviews, CONTEXT_ROWS)?;
    let around = Surroundings {
        requester,
        partner_name: partner,
        listing: title.zip(slug),
        history,
        more_history,
        engagements: super::consents::lines(
            engagements
                .into_iter()
                .map(|(id, name, slug, title, consent)| (id, name, slug, title, consent != 0)),
        ),
        reviews,
        more_engagements,
        more_reviews,
    };
    Ok(Some((t, Some(around))))
}

/// One page of every ticket of a requester, for the desk.
pub fn requester_rows(
    conn: &mut AnyConnection,
    requester_id: i64,
    req: &PageRequest,
) -> QueryResult<Page<Row>> {
    let page = requester_page(conn, requester_id, req)?;
    named(conn, page)
}

/// How a report breaks its numbers down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum By {
    All,
    Assignee,
    Partner,
}

/// Counts of one line of a report: (assignee or partner id when broken
/// down, opened or resolved, sum and number of satisfaction ratings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub key: Option<i64>,
    pub count: i64,
    pub rating_sum: i64,
    pub ratings: i64,
}

/// Tickets opened in `[from, to)`, counted in SQL over `tickets_created`.
pub fn opened_tally(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
    by: By,
) -> QueryResult<Vec<Tally>> {
    use diesel::dsl::count_star;
    let q = tickets::table
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to));
    let rows: Vec<(Option<i64>, i64)> = match by {
        By::All => vec![(None, q.count().get_result(conn)?)],
        By::Assignee => q
            .group_by(tickets::assignee_id)
            .select((tickets::assignee_id, count_star()))
            .load(conn)?,
        By::Partner => q
            .group_by(tickets::partner_id)
            .select((tickets::partner_id, count_star()))
            .load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(key, count)| Tally {
            key,
            count,
            ..Tally::default()
        })
        .collect())
}

/// Tickets resolved in `[from, to)` with their satisfaction ratings,
/// summed in SQL over `tickets_resolved`.
pub fn resolved_tally(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
    by: By,
) -> QueryResult<Vec<Tally>> {
    use diesel::dsl::{count, count_star, sum};
    let q = tickets::table
        .filter(tickets::resolved_at.ge(from))
        .filter(tickets::resolved_at.lt(to));
    let rows: Vec<(Option<i64>, i64, Option<i64>, i64)> = match by {
        By::All => {
            let (n, s, c): (i64, Option<i64>, i64) = q
                .select((
                    count_star(),
                    sum(tickets::satisfaction_rating),
                    count(tickets::satisfaction_rating),
                ))
                .get_result(conn)?;
            vec![(None, n, s, c)]
        }
        By::Assignee => q
            .group_by(tickets::assignee_id)
            .select((
                tickets::assignee_id,
                count_star(),
                sum(tickets::satisfaction_rating),
                count(tickets::satisfaction_rating),
            ))
            .load(conn)?,
        By::Partner => q
            .group_by(tickets::partner_id)
            .select((
                tickets::partner_id,
                count_star(),
                sum(tickets::satisfaction_rating),
                count(tickets::satisfaction_rating),
            ))
            .load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(key, count, sum, ratings)| Tally {
            key,
            count,
            rating_sum: sum.unwrap_or(0),
            ratings,
        })
        .collect())
}

/// SLA achievement of the tickets opened in a period, for one priority:
/// targets decided (met or missed) and met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaTally {
    pub opened: i64,
    pub first_decided: i64,
    pub first_met: i64,
    pub resolution_decided: i64,
    pub resolution_met: i64,
}

/// `SlaTally` per priority, in one grouped query.
pub fn sla_tally(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<HashMap<String, SlaTally>> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = tickets::table
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to))
        .group_by(tickets::priority)
        .select((
            tickets::priority,
            count_star(),
            sql::<BigInt>(
                "SUM(CASE WHEN first_response_at IS NOT NULL \
                 AND first_response_due IS NOT NULL THEN 1 ELSE 0 END)",
            ),
            sql::<BigInt>(
                "SUM(CASE WHEN first_response_at <= first_response_due THEN 1 ELSE 0 END)",
            ),
            sql::<BigInt>(
                "SUM(CASE WHEN resolved_at IS NOT NULL \
                 AND resolution_due IS NOT NULL THEN 1 ELSE 0 END)",
            ),
            sql::<BigInt>("SUM(CASE WHEN resolved_at <= resolution_due THEN 1 ELSE 0 END)"),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                SlaTally {
                    opened: r.1,
                    first_decided: r.2,
                    first_met: r.3,
                    resolution_decided: r.4,
                    resolution_met: r.5,
                },
            )
        })
        .collect())
}

/// How many tickets resolved in the period got each rating.
pub fn rating_tally(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<HashMap<i32, i64>> {
    use diesel::dsl::count_star;
    let rows: Vec<(Option<i32>, i64)> = tickets::table
        .filter(tickets::resolved_at.ge(from))
        .filter(tickets::resolved_at.lt(to))
        .filter(tickets::satisfaction_rating.is_not_null())
        .group_by(tickets::satisfaction_rating)
        .select((tickets::satisfaction_rating, count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, n)| Some((r?, n)))
        .collect())
}

/// What a report's response and resolution times are computed from: a
/// ticket's start and end, its paused business minutes, and whom it
/// belongs to.
#[derive(Debug, Clone, Queryable)]
pub struct Timing {
    pub assignee_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub start: PrimitiveDateTime,
    pub end: Option<PrimitiveDateTime>,
    pub paused_minutes: i32,
}

/// Whose tickets a report's charts and export cover: all, one agent's
/// (assigned to them), one partner's, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    pub assignee: Option<i64>,
    pub partner: Option<i64>,
}

type BoxedTickets<'a> = tickets::BoxedQuery<'a, crate::db::MultiBackend>;

impl Scope {
    pub fn is_assignee(&self, id: &&i64) -> bool {
        self.assignee == Some(**id)
    }

    pub fn is_partner(&self, id: &&i64) -> bool {
        self.partner == Some(**id)
    }

    fn tickets(self) -> BoxedTickets<'static> {
        let mut q = tickets::table.into_boxed();
        if let Some(a) = self.assignee {
            q = q.filter(tickets::assignee_id.eq(a));
        }
        if let Some(p) = self.partner {
            q = q.filter(tickets::partner_id.eq(p));
        }
        q
    }
}

/// Tickets in scope opened in `[from, to)`.
pub fn opened_between(
    conn: &mut AnyConnection,
    scope: Scope,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<i64> {
    scope
        .tickets()
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to))
        .count()
        .get_result(conn)
}

/// Tickets in scope resolved in `[from, to)` (and not reopened since):
/// how many, and the sum and number of their satisfaction ratings.
pub fn resolved_between(
    conn: &mut AnyConnection,
    scope: Scope,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<Tally> {
    use diesel::dsl::{count, count_star, sum};
    let (n, s, c): (i64, Option<i64>, i64) = scope
        .tickets()
        .filter(tickets::resolved_at.ge(from))
        .filter(tickets::resolved_at.lt(to))
        .select((
            count_star(),
            sum(tickets::satisfaction_rating),
            count(tickets::satisfaction_rating),
        ))
        .get_result(conn)?;
    Ok(Tally {
        key: None,
        count: n,
        rating_sum: s.unwrap_or(0),
        ratings: c,
    })
}

/// Tickets in scope not resolved now.
pub fn unresolved(conn: &mut AnyConnection, scope: Scope) -> QueryResult<i64> {
    scope
        .tickets()
        .filter(tickets::resolved_at.is_null())
        .count()
        .get_result(conn)
}

/// `SlaTally` of the tickets in scope of one priority opened in
/// `[from, to)`.
pub fn sla_between(
    conn: &mut AnyConnection,
    scope: Scope,
    priority: Priority,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<SlaTally> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;
    let r: (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>) = scope
        .tickets()
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to))
        .filter(tickets::priority.eq(priority.as_str()))
        .select((
            count_star(),
            sql::<diesel::sql_types::Nullable<BigInt>>(
                "SUM(CASE WHEN first_response_at IS NOT NULL \
                 AND first_response_due IS NOT NULL THEN 1 ELSE 0 END)",
            ),
            sql::<diesel::sql_types::Nullable<BigInt>>(
                "SUM(CASE WHEN first_response_at <= first_response_due THEN 1 ELSE 0 END)",
            ),
            sql::<diesel::sql_types::Nullable<BigInt>>(
                "SUM(CASE WHEN resolved_at IS NOT NULL \
                 AND resolution_due IS NOT NULL THEN 1 ELSE 0 END)",
            ),
            sql::<diesel::sql_types::Nullable<BigInt>>(
                "SUM(CASE WHEN resolved_at <= resolution_due THEN 1 ELSE 0 END)",
            ),
        ))
        .get_result(conn)?;
    Ok(SlaTally {
        opened: r.0,
        first_decided: r.1.unwrap_or(0),
        first_met: r.2.unwrap_or(0),
        resolution_decided: r.3.unwrap_or(0),
        resolution_met: r.4.unwrap_or(0),
    })
}

/// First responses of the tickets in scope opened in `[from, to)`, the
/// newest `cap`.
pub fn first_responses_between(
    conn: &mut AnyConnection,
    scope: Scope,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
    cap: i64,
) -> QueryResult<Vec<Timing>> {
    scope
        .tickets()
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to))
        .filter(tickets::first_response_at.is_not_null())
        .order((tickets::created_at.desc(), tickets::id.desc()))
        .limit(cap)
        .select((
            tickets::assignee_id,
            tickets::partner_id,
            tickets::created_at,
            tickets::first_response_at,
            tickets::paused_minutes,
        ))
        .load(conn)
}

/// Resolutions of tickets in scope in `[from, to)`, the newest `cap`.
pub fn resolutions_between(
    conn: &mut AnyConnection,
    scope: Scope,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
    cap: i64,
) -> QueryResult<Vec<Timing>> {
    scope
        .tickets()
        .filter(tickets::resolved_at.ge(from))
        .filter(tickets::resolved_at.lt(to))
        .order((tickets::resolved_at.desc(), tickets::id.desc()))
        .limit(cap)
        .select((
            tickets::assignee_id,
            tickets::partner_id,
            tickets::created_at,
            tickets::resolved_at,
            tickets::paused_minutes,
        ))
        .load(conn)
}

/// A ticket opened in the period, as the report's export reads it.
#[derive(Debug, Clone, Queryable)]
pub struct ReportTicket {
    pub id: i64,
    pub number: i64,
    pub partner_id: Option<i64>,
    pub priority: String,
    pub created_at: PrimitiveDateTime,
    pub first_response_at: Option<PrimitiveDateTime>,
    pub first_response_due: Option<PrimitiveDateTime>,
    pub resolved_at: Option<PrimitiveDateTime>,
    pub resolution_due: Option<PrimitiveDateTime>,
    pub paused_minutes: i32,
    pub satisfaction_rating: Option<i32>,
}

/// One line of the report's export: the ticket and its partner's name.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub ticket: ReportTicket,
    pub partner: Option<String>,
}

/// Tickets in scope opened in `[from, to)` after `after` (opened at, id)
/// in that order, at most `limit`: the export's batches, read over the
/// opening-time index.
pub fn report_rows(
    conn: &mut AnyConnection,
    scope: Scope,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
    after: Option<(PrimitiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    let mut q = scope
        .tickets()
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to));
    if let Some((at, id)) = after {
        q = q.filter(
            tickets::created_at
                .gt(at)
                .or(tickets::created_at.eq(at).and(tickets::id.gt(id))),
        );
    }
    let rows: Vec<ReportTicket> = q
        .order((tickets::created_at.asc(), tickets::id.asc()))
        .select((
            tickets::id,
            tickets::number,
            tickets::partner_id,
            tickets::priority,
            tickets::created_at,
            tickets::first_response_at,
            tickets::first_response_due,
            tickets::resolved_at,
            tickets::resolution_due,
            tickets::paused_minutes,
            tickets::satisfaction_rating,
        ))
        .at_most(limit)
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.partner_id).collect();
    let names = partner_names(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|ticket| ReportRow {
            partner: ticket.partner_id.and_then(|p| names.get(&p).cloned()),
            ticket,
        })
        .collect())
}

/// Display names of these people.
pub fn people_names(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(users::table
        .filter(conn.in_ids("users.id", ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Names of these partners.
pub fn partner_names(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(partners::table
        .filter(conn.in_ids("partners.id", ids))
        .select((partners::id, partners::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Active staff and admins: (id, name), by name.
pub fn staff(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::is_staff.eq(true).or(users::is_admin.eq(true)))
        .filter(users::disabled_at.is_null())
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load(conn)
}

/// Records (or changes) the satisfaction rating of a resolved ticket.
pub fn rate(
    conn: &mut AnyConnection,
    t: &Ticket,
    rating: i32,
    comment: Option<&str>,
) -> QueryResult<bool> {
    if t.status() != Status::Resolved {
        return Ok(false);
    }
    let comment = comment
        .map(str::to_string)
        .or_else(|| t.satisfaction_comment.clone());
    diesel::update(tickets::table.find(t.id))
        .set((
            tickets::satisfaction_rating.eq(Some(rating)),
            tickets::satisfaction_comment.eq(comment),
            tickets::satisfaction_at.eq(Some(super::now())),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Closes tickets resolved more than `after` ago; returns how many.
pub fn close_stale(
    conn: &mut AnyConnection,
    after: time::Duration,
    cfg: &SlaConfig,
) -> QueryResult<usize> {
    let cutoff = super::now() - after;
    let stale: Vec<i64> = tickets::table
        .filter(tickets::status.eq(Status::Resolved.as_str()))
        .filter(tickets::resolved_at.le(cutoff))
        .order(tickets::id.asc())
        .select(tickets::id)
        .load(conn)?;
    let mut closed = 0;
    for id in stale {
        // A reply may have reopened it since the list was read.
        let t = locked(conn, id)?;
        if t.status() == Status::Resolved && t.resolved_at.is_some_and(|at| at <= cutoff) {
            apply_status(conn, &t, Status::Closed, cfg, super::now())?;
            closed += 1;
        }
    }
    Ok(closed)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = canned_replies)]
pub struct Canned {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// The canned replies a ticket page offers: the first `CANNED_MENU` by
/// title.
pub const CANNED_MENU: i64 = 200;

pub fn canned(conn: &mut AnyConnection) -> QueryResult<Vec<Canned>> {
    canned_replies::table
        .order((canned_replies::title.asc(), canned_replies::id.asc()))
        .select(Canned::as_select())
        .at_most(CANNED_MENU)
        .load(conn)
}

/// One page of canned replies by title. Titles are no seek key, so a
/// cursor names the last row shown and the page resumes after that row's
/// title; if it was deleted meanwhile, the page is empty and links to the
/// first.
pub fn canned_page(conn: &mut AnyConnection, req: &PageRequest) -> QueryResult<Page<Canned>> {
    let mut q = canned_replies::table.into_boxed();
    if let Some((_, id)) = req.after() {
        let Some(last) = canned_by_id(conn, id)? else {
            return Ok(req.finish(Vec::new(), |c: &Canned| (0, c.id)));
        };
        q = q.filter(
            canned_replies::title.ge(last.title.clone()).and(
                canned_replies::title
                    .gt(last.title)
                    .or(canned_replies::id.gt(id)),
            ),
        );
    }
    let list = q
        .order((canned_replies::title.asc(), canned_replies::id.asc()))
        .select(Canned::as_select())
        .page_of(req)
        .load(conn)?;
    Ok(req.finish(list, |c| (0, c.id)))
}

pub fn canned_by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Canned>> {
    canned_replies::table
        .find(id)
        .select(Canned::as_select())
        .first(conn)
        .optional()
}

pub fn save_canned(
    conn: &mut AnyConnection,
    id: Option<i64>,
    title: &str,
    body: &str,
) -> QueryResult<usize> {
    let now = super::now();
    match id {
        Some(id) => diesel::update(canned_replies::table.find(id))
            .set((
                canned_replies::title.eq(title),
                canned_replies::body.eq(body),
                canned_replies::updated_at.eq(now),
            ))
            .execute(conn),
        None => diesel::insert_into(canned_replies::table)
            .values((
                canned_replies::title.eq(title),
                canned_replies::body.eq(body),
                canned_replies::created_at.eq(now),
                canned_replies::updated_at.eq(now),
            ))
            .execute(conn),
    }
}

pub fn delete_canned(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(canned_replies::table.find(id)).execute(conn)
}

/// Fills a canned reply's placeholders.
pub fn fill_placeholders(
    body: &str,
    requester_name: &str,
    number: i64,
    agent_name: &str,
) -> String {
    body.replace("{{name}}", requester_name)
        .replace("{{ticket}}", &format!("#{number}"))
        .replace("{{agent}}", agent_name)
}

#[cfg(test)]
mod tests {
    use super::{Queue, Search};

    #[test]
    fn searches_and_queues_parse() {
        assert_eq!(Search::parse("  "), Search::Everything);
        assert_eq!(Search::parse("#1042"), Search::Number(1042));
        assert_eq!(Search::parse("1042"), Search::Number(1042));
        assert_eq!(
            Search::parse(" Printer JAM "),
            Search::Text("printer jam".into())
        );
        assert_eq!(Queue::parse("breaching"), Queue::Breaching);
        assert_eq!(Queue::parse("nonsense"), Queue::Open);
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.code()), q);
        }
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            super::fill_placeholders(
                "Hi {{name}}, about {{ticket}}. {{agent}}",
                "Ann",
                1001,
                "Sam"
            ),
            "Hi Ann, about #1001. Sam"
        );
    }
}
