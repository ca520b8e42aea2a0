//! Support tickets, their messages, the SLA settings and canned replies.

use std::collections::HashMap;

use diesel::prelude::*;
use time::{PrimitiveDateTime, UtcOffset};

use crate::db::AnyConnection;
use crate::domain::sla::{self, BusinessHours, SlaState};
use crate::domain::ticket::{Priority, Status};
use crate::schema::{
    business_hours, canned_replies, partners, sla_policies, ticket_messages, tickets, users,
};

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
}

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
        self.next_due()
            .is_some_and(|due| due - now <= time::Duration::hours(1))
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
    pub offset_minutes: i32,
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
    let (offset_minutes, schedule): (i32, String) = business_hours::table
        .find(1)
        .select((business_hours::utc_offset_minutes, business_hours::schedule))
        .first(conn)
        .optional()?
        .unwrap_or((0, "24x7".to_string()));
    let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(UtcOffset::UTC);
    let hours = sla::parse_schedule(&schedule, offset).unwrap_or_else(|_| BusinessHours::always());
    Ok(SlaConfig {
        hours,
        schedule,
        offset_minutes,
        targets,
    })
}

pub fn save_sla(
    conn: &mut AnyConnection,
    targets: &[(Priority, i64, i64)],
    offset_minutes: i32,
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
            business_hours::utc_offset_minutes.eq(offset_minutes),
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
    by_id(conn, id)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Ticket> {
    tickets::table
        .find(id)
        .select(Ticket::as_select())
        .first(conn)
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
);

/// The thread, oldest first; internal notes only when asked for.
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
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| MessageView {
            id: r.0,
            author_id: r.1,
            author_kind: r.2,
            author_name: r.3.unwrap_or_default(),
            partner_name: r.4,
            body: r.5,
            internal: r.6,
            created_at: r.7,
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

fn rows_for(conn: &mut AnyConnection, list: Vec<Ticket>) -> QueryResult<Vec<Row>> {
    let mut ids: Vec<i64> = list.iter().map(|t| t.requester_id).collect();
    ids.extend(list.iter().filter_map(|t| t.assignee_id));
    let people: HashMap<i64, (String, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name, users::email))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, e)| (id, (n, e)))
        .collect();
    let pids: Vec<i64> = list.iter().filter_map(|t| t.partner_id).collect();
    let partner_names: HashMap<i64, String> = partners::table
        .filter(partners::id.eq_any(&pids))
        .select((partners::id, partners::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(list
        .into_iter()
        .map(|t| {
            let (requester_name, requester_email) =
                people.get(&t.requester_id).cloned().unwrap_or_default();
            Row {
                requester_name,
                requester_email,
                assignee_name: t
                    .assignee_id
                    .and_then(|a| people.get(&a).map(|p| p.0.clone())),
                partner_name: t.partner_id.and_then(|p| partner_names.get(&p).cloned()),
                ticket: t,
            }
        })
        .collect())
}

pub fn of_requester(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<Ticket>> {
    tickets::table
        .filter(tickets::requester_id.eq(user_id))
        .order(tickets::number.desc())
        .select(Ticket::as_select())
        .load(conn)
}

pub fn of_partner(conn: &mut AnyConnection, partner_id: i64) -> QueryResult<Vec<Row>> {
    let list = tickets::table
        .filter(tickets::partner_id.eq(partner_id))
        .order(tickets::number.desc())
        .select(Ticket::as_select())
        .load(conn)?;
    rows_for(conn, list)
}

/// Active tickets plus those resolved or closed in the last week: what the
/// desk's queues are cut from.
pub fn desk_rows(conn: &mut AnyConnection) -> QueryResult<Vec<Row>> {
    let since = super::now() - time::Duration::days(7);
    let list = tickets::table
        .filter(
            tickets::status
                .eq_any([
                    Status::New.as_str(),
                    Status::Open.as_str(),
                    Status::Pending.as_str(),
                ])
                .or(tickets::updated_at.ge(since)),
        )
        .select(Ticket::as_select())
        .load(conn)?;
    rows_for(conn, list)
}

/// Every ticket opened in `[from, to)`, for reports.
pub fn opened_between(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<Vec<Row>> {
    let list = tickets::table
        .filter(tickets::created_at.ge(from))
        .filter(tickets::created_at.lt(to))
        .select(Ticket::as_select())
        .load(conn)?;
    rows_for(conn, list)
}

pub fn resolved_between(
    conn: &mut AnyConnection,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> QueryResult<Vec<Row>> {
    let list = tickets::table
        .filter(tickets::resolved_at.ge(from))
        .filter(tickets::resolved_at.lt(to))
        .select(Ticket::as_select())
        .load(conn)?;
    rows_for(conn, list)
}

/// The requester's other tickets.
pub fn history(
    conn: &mut AnyConnection,
    requester_id: i64,
    except: i64,
) -> QueryResult<Vec<Ticket>> {
    tickets::table
        .filter(tickets::requester_id.eq(requester_id))
        .filter(tickets::id.ne(except))
        .order(tickets::number.desc())
        .limit(20)
        .select(Ticket::as_select())
        .load(conn)
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
    let stale: Vec<Ticket> = tickets::table
        .filter(tickets::status.eq(Status::Resolved.as_str()))
        .filter(tickets::resolved_at.le(cutoff))
        .select(Ticket::as_select())
        .load(conn)?;
    for t in &stale {
        apply_status(conn, t, Status::Closed, cfg, super::now())?;
    }
    Ok(stale.len())
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

pub fn canned(conn: &mut AnyConnection) -> QueryResult<Vec<Canned>> {
    canned_replies::table
        .order(canned_replies::title.asc())
        .select(Canned::as_select())
        .load(conn)
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
