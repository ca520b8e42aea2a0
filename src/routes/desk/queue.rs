use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::require_staff;
use crate::db;
use crate::domain::ticket::{Priority, Status};
use crate::error::{AppError, url_encode};
use crate::models::now;
use crate::models::tickets::{self, DeskFilter, Queue, Row, Search};
use crate::web::paging::{self, PageParams, PageRequest, Pager};
use crate::web::{Ctx, render};
use time::PrimitiveDateTime;

pub const PAGE_SIZE: usize = 25;

/// Partners offered in the filter: those with active tickets, by name.
const PARTNER_CHOICES: i64 = 200;

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
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "desk/index.html")]
struct IndexPage<'a> {
    ctx: &'a Ctx,
    queue: Queue,
    /// Each queue with its size, capped.
    queues: Vec<(Queue, (i64, bool))>,
    rows: Vec<Row>,
    total: (i64, bool),
    pager: Pager,
    f: &'a Filters,
    statuses: [Status; 5],
    priorities: [Priority; 4],
    partners: Vec<(i64, String)>,
    agents: &'a [(i64, String)],
    now: PrimitiveDateTime,
}

impl IndexPage<'_> {
    /// A count as shown: "10,000+" past the cap.
    fn count(&self, n: &(i64, bool)) -> String {
        let shown = self.ctx.number(&n.0);
        if n.1 {
            self.ctx.t1("count-capped", "count", shown)
        } else {
            shown
        }
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

impl Filters {
    /// The list's URL with its filters, for the pager.
    fn base_url(&self, queue: Queue) -> String {
        format!(
            "/desk?queue={}&status={}&priority={}&partner={}&assignee={}&q={}",
            queue.code(),
            url_encode(&self.status),
            url_encode(&self.priority),
            url_encode(&self.partner),
            url_encode(&self.assignee),
            url_encode(&self.q)
        )
    }

    fn desk_filter(&self, queue: Queue, me: i64, now: PrimitiveDateTime) -> DeskFilter {
        DeskFilter {
            status: Status::parse(&self.status),
            priority: Priority::parse(&self.priority),
            partner: self.partner.parse().ok(),
            assignee: self.assignee.parse().ok(),
            search: Search::parse(&self.q),
            ..DeskFilter::new(queue, me, now)
        }
    }
}

pub async fn index(ctx: Ctx, f: web::Query<Filters>) -> Result<HttpResponse, AppError> {
    let me = require_staff(&ctx)?.id;
    let f = f.into_inner();
    let queue = Queue::parse(&f.queue);
    let now = now();
    let filter = f.desk_filter(queue, me, now);
    let req = PageRequest::parse(
        &PageParams {
            page: f.page.clone(),
            after: f.after.clone(),
        },
        PAGE_SIZE,
    );
    // Queue counts and the partner choices read many index entries: kept
    // for a few seconds per agent (AGORA_FIGURES_CACHE_SECONDS, at most 10).
    let counts_key = format!("queues:{me}");
    let known_counts = ctx.state.desk_counts.get(&counts_key);
    let known_partners = ctx.state.desk_partners.get("partners");
    // With the counts kept and no narrowing filter, what is left is a page
    // of the queue: short enough for the HTTP worker.
    let short = known_counts.is_some() && known_partners.is_some() && !filter.narrows();
    let state = ctx.state.clone();
    let (counts, total, page, partners, menus) = db::read_if(ctx.pool(), short, move |conn| {
        // Read afresh once however many agents ask at once (on the blocking
        // pool: `short` is false whenever one is missing).
        let counts = match known_counts {
            Some(c) => c,
            None => state
                .desk_counts
                .get_or_load_blocking(&counts_key, || tickets::queue_counts(conn, me, now))?,
        };
        let total = match counts.iter().find(|(q, _)| *q == queue) {
            Some((_, n)) if !filter.narrows() => *n,
            _ => tickets::desk_count(conn, &filter)?,
        };
        let page = tickets::desk_page(conn, &filter, &req)?;
        let choices = match known_partners {
            Some(p) => p,
            None => state.desk_partners.get_or_load_blocking("partners", || {
                tickets::partners_with_active_tickets(conn, PARTNER_CHOICES)
            })?,
        };
        let mut partners = choices.as_ref().clone();
        // The partner filtered on stays offered, active tickets or not.
        if let Some(pid) = filter.partner
            && !partners.iter().any(|(id, _)| *id == pid)
            && let Some(name) = tickets::partner_names(conn, &[pid])?.remove(&pid)
        {
            partners.push((pid, name));
        }
        let menus = super::menus(&state, conn)?;
        Ok((counts.as_ref().clone(), total, page, partners, menus))
    })
    .await?;
    let total = paging::capped(total);
    let pages = (!total.1).then(|| (total.0 as usize).div_ceil(PAGE_SIZE).max(1));
    let pager = page.pager(&f.base_url(queue), pages);
    render(&IndexPage {
        ctx: &ctx,
        queue,
        queues: counts
            .into_iter()
            .map(|(q, n)| (q, paging::capped(n)))
            .collect(),
        rows: page.items,
        total,
        pager,
        f: &f,
        statuses: Status::ALL,
        priorities: Priority::ALL,
        partners,
        agents: &menus.agents,
        now,
    })
}
