use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_staff;
use crate::db;
use crate::domain::ticket::{Priority, Status};
use crate::error::{AppError, url_encode};
use crate::models::now;
use crate::models::tickets::{self, Row};
use crate::web::{Ctx, render};
use time::PrimitiveDateTime;

pub const PAGE_SIZE: usize = 25;

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
    fn parse(s: &str) -> Queue {
        Queue::ALL
            .into_iter()
            .find(|q| q.code() == s)
            .unwrap_or(Queue::Open)
    }
    /// Whether a ticket belongs in the queue.
    pub fn holds(self, r: &Row, me: i64, now: PrimitiveDateTime) -> bool {
        let s = r.ticket.status();
        match self {
            Queue::Unassigned => s.is_active() && r.ticket.assignee_id.is_none(),
            Queue::Mine => s.is_active() && r.ticket.assignee_id == Some(me),
            Queue::Open => s.is_active(),
            Queue::Waiting => s == Status::Pending,
            Queue::Breaching => s.is_active() && r.ticket.breaching(now),
            Queue::Resolved => matches!(s, Status::Resolved | Status::Closed),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    q: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/index.html")]
struct IndexPage<'a> {
    ctx: &'a Ctx,
    queue: Queue,
    queues: Vec<(Queue, usize)>,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    f: &'a Filters,
    statuses: [Status; 5],
    priorities: [Priority; 4],
    partners: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    now: PrimitiveDateTime,
}

impl IndexPage<'_> {
    fn page_url(&self, page: usize) -> String {
        let f = self.f;
        format!(
            "/desk?queue={}&status={}&priority={}&partner={}&assignee={}&q={}&page={page}",
            self.queue.code(),
            url_encode(&f.status),
            url_encode(&f.priority),
            url_encode(&f.partner),
            url_encode(&f.assignee),
            url_encode(&f.q)
        )
    }
    fn overdue(&self, r: &Row) -> bool {
        r.ticket.next_due().is_some_and(|d| d < self.now)
    }

    fn sla_class(&self, r: &Row) -> &'static str {
        if !r.ticket.status().is_active() {
            ""
        } else if r.ticket.next_due().is_some_and(|d| d < self.now) {
            "sla-overdue"
        } else if r.ticket.breaching(self.now) {
            "sla-soon"
        } else {
            ""
        }
    }
}

/// Does the free-text search match: a number (with or without `#`), words
/// of the subject, or the requester's email?
fn matches_search(r: &Row, q: &str) -> bool {
    let q = q.trim();
    if q.is_empty() {
        return true;
    }
    if let Ok(n) = q.trim_start_matches('#').parse::<i64>() {
        return r.ticket.number == n;
    }
    let q = q.to_lowercase();
    r.ticket.subject.to_lowercase().contains(&q) || r.requester_email.to_lowercase().contains(&q)
}

pub async fn index(ctx: Ctx, f: web::Query<Filters>) -> Result<HttpResponse, AppError> {
    let me = require_staff(&ctx)?.id;
    let f = f.into_inner();
    let queue = Queue::parse(&f.queue);
    let (all, agents) = db::run(ctx.pool(), |conn| {
        let agents = tickets::staff(conn)?;
        Ok((tickets::desk_rows(conn)?, agents))
    })
    .await?;
    let now = now();
    let queues = Queue::ALL
        .iter()
        .map(|q| (*q, all.iter().filter(|r| q.holds(r, me, now)).count()))
        .collect();
    let mut partners: Vec<(i64, String)> = all
        .iter()
        .filter_map(|r| Some((r.ticket.partner_id?, r.partner_name.clone()?)))
        .collect();
    partners.sort_by(|a, b| a.1.cmp(&b.1));
    partners.dedup();
    let status = Status::parse(&f.status);
    let priority = Priority::parse(&f.priority);
    let partner: Option<i64> = f.partner.parse().ok();
    let assignee: Option<i64> = f.assignee.parse().ok();
    let mut rows: Vec<Row> = all
        .into_iter()
        .filter(|r| queue.holds(r, me, now))
        .filter(|r| status.is_none_or(|s| r.ticket.status() == s))
        .filter(|r| priority.is_none_or(|p| r.ticket.priority() == p))
        .filter(|r| partner.is_none_or(|p| r.ticket.partner_id == Some(p)))
        .filter(|r| assignee.is_none_or(|a| r.ticket.assignee_id == Some(a)))
        .filter(|r| matches_search(r, &f.q))
        .collect();
    // Soonest due first; tickets without a running clock after, newest first.
    rows.sort_by(|a, b| match (a.ticket.next_due(), b.ticket.next_due()) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.ticket.number.cmp(&b.ticket.number)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.ticket.number.cmp(&a.ticket.number),
    });
    let total = rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = f
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(pages);
    let rows = rows
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    render(&IndexPage {
        ctx: &ctx,
        queue,
        queues,
        rows,
        total,
        page,
        pages,
        f: &f,
        statuses: Status::ALL,
        priorities: Priority::ALL,
        partners,
        agents,
        now,
    })
}
